using FedLearn.Participant.Policy;

namespace FedLearn.Participant.Spending;

/// <summary>What the spend log says about one participant's part in one session.</summary>
/// <param name="Rounds">Distinct rounds an update was sent for.</param>
/// <param name="Uploads">Lines in the log: attempts trained for (a rerun attempt counts separately, every time).</param>
/// <param name="MaxEpsilon">Largest locally computed participant-level ε recorded; null when the session had no differential privacy.</param>
/// <param name="MaxExampleEpsilon">Largest example-level (DP-SGD) ε on this participant's records; null without DP-SGD.</param>
/// <param name="RepeatedAttempts">Lines whose (round, attempt) an earlier line already had: the coordinator sent an attempt
/// again, which it never should (attempt numbers are not reused). Each was trained for, so each is spent.</param>
/// <param name="MaxEpsilonAgainstCoordinator">Largest participant-level ε against the coordinator recorded; null when there
/// is no such guarantee (<paramref name="NoGuaranteeAgainstCoordinator"/> says why) or the log predates the figure.</param>
/// <param name="MaxExampleDeltaTotal">The δ at which <paramref name="MaxExampleEpsilon"/> holds with the noise sampler's
/// residue (largest <see cref="ExampleSpend.DeltaTotal"/>); null without DP-SGD or when the log predates the figure.</param>
public sealed record SessionSpend(
    string ParticipantId,
    string SessionId,
    int Rounds,
    int Uploads,
    bool Private,
    double? MaxEpsilon,
    double? EpsilonBudget,
    double? Delta,
    string? Accountant,
    double CoordinatorEpsilonSpent,
    DateTimeOffset LastTime,
    double? MaxExampleEpsilon = null,
    double? ExampleEpsilonBudget = null,
    int RepeatedAttempts = 0,
    double? MaxEpsilonAgainstCoordinator = null,
    string? NoGuaranteeAgainstCoordinator = null,
    double? MaxExampleDeltaTotal = null)
{
    public static IReadOnlyList<SessionSpend> Summarize(IEnumerable<SpendRecord> records) =>
        records
            .GroupBy(r => (r.ParticipantId, r.SessionId))
            .Select(Summarize)
            .OrderBy(s => s.LastTime)
            .ToList();

    private static SessionSpend Summarize(IGrouping<(string ParticipantId, string SessionId), SpendRecord> g)
    {
        // One attempt without a guarantee against the coordinator voids it for the whole session; so does one whose
        // line predates the figure (then neither a number nor a reason is known).
        var noGuarantee = g.Select(r => r.NoGuaranteeAgainstCoordinator).FirstOrDefault(reason => reason is not null);
        var againstCoordinator = noGuarantee is null && g.All(r => r.EpsilonAgainstCoordinator is not null)
            ? g.Max(r => r.EpsilonAgainstCoordinator)
            : null;
        return new SessionSpend(
            g.Key.ParticipantId,
            g.Key.SessionId,
            g.Select(r => r.Round).Distinct().Count(),
            g.Count(),
            // One non-private upload is enough to void the guarantee for the whole session.
            g.All(r => r.Mechanism != SpendRecord.NoMechanism),
            g.Any(r => r.Mechanism == SpendRecord.NoMechanism) ? null : g.Max(r => r.Epsilon),
            g.Max(r => r.EpsilonBudget),
            g.Max(r => r.Delta),
            g.Last().Accountant,
            g.Max(r => r.CoordinatorEpsilonSpent),
            g.Max(r => r.Time),
            g.Max(r => r.Example?.Epsilon),
            g.Max(r => r.Example?.EpsilonBudget),
            g.Count() - g.Select(r => (r.Round, r.Attempt)).Distinct().Count(),
            againstCoordinator,
            noGuarantee,
            g.Max(r => r.Example?.DeltaTotal));
    }

    /// <summary>The "against the coordinator" cell: the figure, or "none" and the short reason.</summary>
    public string AgainstCoordinatorLabel() => (MaxEpsilonAgainstCoordinator, NoGuaranteeAgainstCoordinator) switch
    {
        ({ } epsilon, _) => epsilon.ToString("G4", System.Globalization.CultureInfo.InvariantCulture),
        (null, CoordinatorAccounting.CentralNoise) => "none (central noise)",
        (null, CoordinatorAccounting.NoParticipantLevel) => "none (no participant level)",
        (null, { }) => "none",
        _ => "-",
    };
}
