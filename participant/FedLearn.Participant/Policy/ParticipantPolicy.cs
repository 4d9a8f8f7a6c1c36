namespace FedLearn.Participant.Policy;

/// <summary>
/// The data owner's limits on the rounds this participant takes part in. Loaded from a JSON policy file
/// (<see cref="ParticipantPolicyFile"/>); without one the daemon runs under <see cref="Permissive"/>.
/// </summary>
/// <param name="MaxEpsilonPerSession">Largest ε a session may reach, by its declared budget and by the local projection.</param>
/// <param name="MaxDelta">Largest δ a session may declare.</param>
/// <param name="MinParticipantsPerRound">Fewest updates a round must combine (the session's declared minimum).</param>
/// <param name="RequireSecureAggregation">Take part only when the coordinator sees nothing but the sum of updates.</param>
/// <param name="AllowNonPrivateSessions">Take part in sessions without differential privacy (no guarantee at all).</param>
/// <param name="Enforced">False for the permissive default: the guard evaluates and logs, but declines nothing.</param>
/// <param name="MaxEpsilonAgainstCoordinator">Largest ε this participant's own accounting against the coordinator may
/// reach (un-amplified, over every attempt it contributed to); null sets no limit. When set, sessions that give no
/// guarantee against the coordinator (central noise, no differential privacy) are declined.</param>
public sealed record ParticipantPolicy(
    double MaxEpsilonPerSession,
    double MaxDelta,
    int MinParticipantsPerRound,
    bool RequireSecureAggregation,
    bool AllowNonPrivateSessions,
    bool Enforced = true,
    double? MaxEpsilonAgainstCoordinator = null)
{
    /// <summary>No policy file: every round is accepted, and what a policy would object to is logged.</summary>
    public static ParticipantPolicy Permissive { get; } = new(double.PositiveInfinity, 1.0, 1, false, true, Enforced: false);
}
