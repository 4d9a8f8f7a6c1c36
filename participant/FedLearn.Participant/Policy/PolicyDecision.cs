namespace FedLearn.Participant.Policy;

/// <summary>Whether to take part in a round, and why. Reasons name declared parameters and ε only, never local data.</summary>
/// <param name="Accept">Train and upload (true) or sit the round out (false).</param>
/// <param name="Reason">One line for the log.</param>
public sealed record PolicyDecision(bool Accept, string Reason)
{
    /// <summary>ε after this round as projected here, or null for a round without differential privacy.</summary>
    public double? ProjectedEpsilon { get; init; }

    /// <summary>The accountant <see cref="ProjectedEpsilon"/> was computed with ("rdp" or "pld").</summary>
    public string? Accountant { get; init; }

    /// <summary>The participant-level guarantee against the coordinator after this attempt (D4); null when not assessed.</summary>
    public CoordinatorGuarantee? Coordinator { get; init; }
}
