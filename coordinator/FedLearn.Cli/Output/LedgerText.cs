using System.Globalization;
using static System.FormattableString;
using System.Text;
using System.Text.Json;
using FedLearn.Ledger;

namespace FedLearn.Cli.Output;

/// <summary>Human and JSON renderings of ledgers and verification reports.</summary>
internal static class LedgerText
{
    /// <summary>The ledger as a table; participant-level and example-level columns are labelled and shown only when declared.</summary>
    public static string Describe(LedgerDocument document)
    {
        var h = document.Header;
        var participant = h.HasParticipantLevel;
        var example = h.ExampleLevel;
        var secure = h.RecordsEpsilonAgainstCoordinator;
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"session     {h.SessionId}")
            .AppendLine(CultureInfo.InvariantCulture, $"neighbours  {Relation(h.NeighbouringRelation)}")
            .AppendLine(participant
                ? Invariant($"participant ε ≤ {G(h.EpsilonBudget)} at δ = {G(h.Delta)} per participant, enforced by the coordinator with {h.Accountant}; ") +
                  $"against {Adversary(h.EpsilonAgainst)}"
                : "participant none: the session declares no participant-level guarantee (whole participants are not protected)")
            .AppendLine(example is null
                ? "example     none: the session declares no example-level guarantee"
                : Invariant($"example     ε ≤ {G(example.EpsilonBudget)} at δ = {G(example.Delta)} per record, enforced by each participant's DP-SGD ") +
                  Invariant($"({example.Accountant}, C = {G(example.ClipNorm)}, σ = {(example.NoiseMultiplier == 0 ? "calibrated per participant" : G(example.NoiseMultiplier))}, ") +
                  Invariant($"expected batch {example.ExpectedBatchSize}); per round: the largest ε a participant reported; ") +
                  $"against {Adversary(h.ExampleEpsilonAgainst)}");
        if (participant)
        {
            text.AppendLine(SamplingLine(h.ReleaseConsumersAmplified));
            text.AppendLine(CoordinatorLine(h.AgainstCoordinator));
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"key         {h.PublicKey}");
        var columns = Invariant($"{"SEQ",4} {"ROUND",5} {"RECORDED (UTC)",-24} {"SEL/AGG",-8} ");
        if (participant)
        {
            columns += Invariant($"{"MECHANISM",-17} {"q",-8} {"σ",-8} {"C",-6} {"PART. ε RDP",-11} {"PART. ε PLD",-11} ");
        }
        if (secure)
        {
            columns += Invariant($"{"vs COORD. RDP",-13} {"vs COORD. PLD",-13} ");
        }
        if (example is not null)
        {
            columns += Invariant($"{"EXAMPLE ε",-10} ");
        }
        text.AppendLine(columns + "MODEL");
        foreach (var e in document.Entries)
        {
            var line = Invariant($"{e.Sequence,4} {e.Round,5} {LedgerTime.Format(e.RecordedAt),-24} {$"{e.ParticipantsSelected}/{e.ParticipantsAggregated}",-8} ");
            if (participant)
            {
                line += Invariant($"{e.Mechanism,-17} {G(e.SamplingRate),-8} {G(e.NoiseMultiplier),-8} {G(e.ClipNorm),-6} {G(e.EpsilonRdp),-11} {G(e.EpsilonPld),-11} ");
            }
            if (secure)
            {
                line += Invariant($"{G(e.EpsilonAgainstCoordinatorRdp),-13} {G(e.EpsilonAgainstCoordinatorPld),-13} ");
            }
            if (example is not null)
            {
                line += Invariant($"{G(e.ExampleEpsilonMax),-10} ");
            }
            text.AppendLine(line + e.ModelSha256[..Math.Min(12, e.ModelSha256.Length)]);
        }
        var empty = document.Entries.Count(e => e.IsEmptyStep);
        return text.Append(CultureInfo.InvariantCulture, $"{document.Entries.Count} entries, {document.Checkpoints.Count} checkpoints")
            .Append(empty == 0 ? "" : Invariant($"; {empty} empty charged steps (SEL/AGG …/0: the model unchanged, the step charged)")).ToString();
    }

    /// <summary>The neighbouring relation in words (docs/threat-model.md).</summary>
    public static string Relation(string? relation) => relation switch
    {
        LedgerAdversaries.ZeroOut => "zero-out: one participant's data (or one record) replaced by data contributing nothing; who takes part and how much data they hold are public",
        null => "not named (a ledger written before the header named its neighbouring relation)",
        _ => $"\"{relation}\" (unknown)",
    };

    /// <summary>Whom a figure holds against, in words.</summary>
    public static string Adversary(string? against) => against switch
    {
        LedgerAdversaries.ReleaseConsumers => "anyone who sees what the coordinator releases (not the coordinator itself)",
        LedgerAdversaries.ReleaseConsumersAndCoordinator => "anyone who sees the releases and the coordinator too (noise added on the participant's device)",
        null => "an adversary the ledger does not name (written before it named them)",
        _ => $"\"{against}\" (unknown)",
    };

    /// <summary>Whether the release consumers' figures claim amplification by sampling (accounting version 4 does not).</summary>
    public static string SamplingLine(bool amplified) => amplified
        ? "sampling    PART. ε amplified by Poisson sampling at q (accounting version 1-3): the cohort sizes the coordinator publishes are not accounted, so it may be understated (docs/threat-model.md)"
        : "sampling    PART. ε claims no amplification by sampling (q = 1 per charged step, accounting version 4): the coordinator publishes each round's cohort size";

    /// <summary>What the ledger says about the coordinator as an adversary.</summary>
    public static string CoordinatorLine(string? againstCoordinator) => againstCoordinator switch
    {
        LedgerAdversaries.CoordinatorRecorded =>
            "coordinator secure aggregation: each entry records the worst-case ε against the coordinator (vs COORD.: no amplification by sampling, a participant in every charged step)",
        LedgerAdversaries.CoordinatorTrusted =>
            "coordinator trusted: central noise, the coordinator sees every clipped update; no guarantee against it",
        _ => "coordinator not named (a ledger written before the header named the adversaries)",
    };

    public static string Describe(LedgerVerificationReport report, bool keyPinned)
    {
        var text = new StringBuilder();
        var enforced = report.EnforcedAccountant == "pld" ? report.RecomputedFinalEpsilonPld : report.RecomputedFinalEpsilonRdp;
        text.AppendLine(CultureInfo.InvariantCulture, $"session {report.SessionId}: {report.EntryCount} entries");
        text.AppendLine(report.EpsilonBudget is null
            ? "participant level: none declared"
            : Invariant($"participant level: recomputed ε = {G(report.RecomputedFinalEpsilonRdp)} (rdp), {G(report.RecomputedFinalEpsilonPld)} (pld) ") +
              Invariant($"at δ = {G(report.Delta)}; budget {G(report.EpsilonBudget)} ({report.EnforcedAccountant}: {G(enforced)}); ") +
              "against anyone who sees the coordinator's releases" +
              (report.AccountingVersion >= LedgerAccountingVersions.ReleaseConsumersUnamplified
                  ? " (no amplification by sampling: q = 1 per charged step)"
                  : " (amplified by Poisson sampling at q: the published cohort sizes are not accounted, so it may be understated)"));
        if (report.EpsilonBudget is not null)
        {
            text.AppendLine(report.AgainstCoordinator == LedgerAdversaries.CoordinatorRecorded
                ? Invariant($"against the coordinator (worst case, recomputed): ε = {G(report.RecomputedFinalEpsilonAgainstCoordinatorRdp)} (rdp), ") +
                  Invariant($"{G(report.RecomputedFinalEpsilonAgainstCoordinatorPld)} (pld)")
                : "against the coordinator: " + CoordinatorLine(report.AgainstCoordinator)["coordinator ".Length..]);
            text.AppendLine(report.AccountingVersion >= LedgerAccountingVersions.SamplerResidueInDelta
                ? Invariant($"with the samplers' error paid (recomputed): δ = {G(report.RecomputedFinalDeltaTotal)}") +
                  (report.RecomputedFinalDeltaTotalAgainstCoordinator is { } c ? Invariant($", against the coordinator δ = {G(c)}") : "")
                : "samplers' error: not in δ (a ledger of accounting version 1)");
        }
        text.AppendLine("neighbouring relation: " + Relation(report.NeighbouringRelation));
        text.AppendLine(report.ExampleLevel is not { } example
            ? "example level: none declared"
            : Invariant($"example level: largest ε reported by participants = {G(report.ExampleEpsilonMaxReported)} at δ = {G(example.Delta)} ") +
              Invariant($"({example.Accountant}); budget {G(example.EpsilonBudget)}. Reported, not recomputable here: each data owner checks ") +
              "the declared parameters against its spend log (fedlearn-participant check-ledger).");
        if (!keyPinned)
        {
            text.AppendLine("note: signatures were checked against the key in the ledger header; pass --public-key to pin the coordinator's key.");
        }
        if (report.IsValid)
        {
            text.Append("OK: the hash chain, every signature and every checkpoint verify")
                .Append(report.EpsilonBudget is null ? "" : "; every participant-level epsilon recomputes and fits the budget")
                .Append(report.ExampleLevel is null ? "." : "; every reported example-level epsilon is within its budget.");
            return text.ToString();
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"FAILED: {report.Discrepancies.Count} discrepancies");
        foreach (var d in report.Discrepancies)
        {
            var where = (d.Sequence, d.Round) switch
            {
                (long s, int r) => $"entry {s} (round {r})",
                (long s, null) => $"entry {s}",
                (null, int r) => $"round {r}",
                _ => "ledger",
            };
            text.AppendLine(CultureInfo.InvariantCulture, $"  [{d.Kind}] {where}: {d.Message}");
        }
        return text.ToString().TrimEnd();
    }

    public static string Json(LedgerVerificationReport report) => JsonSerializer.Serialize(new
    {
        valid = report.IsValid,
        session_id = report.SessionId,
        entries = report.EntryCount,
        accountant = report.EnforcedAccountant,
        epsilon_budget = report.EpsilonBudget,
        delta = report.Delta,
        example_level = report.ExampleLevel is not { } e ? null : new
        {
            epsilon_budget = e.EpsilonBudget,
            delta = e.Delta,
            accountant = e.Accountant,
            epsilon_max_reported = report.ExampleEpsilonMaxReported,
        },
        recorded_epsilon_rdp = report.RecordedFinalEpsilonRdp,
        recorded_epsilon_pld = report.RecordedFinalEpsilonPld,
        recomputed_epsilon_rdp = report.RecomputedFinalEpsilonRdp,
        recomputed_epsilon_pld = report.RecomputedFinalEpsilonPld,
        neighbouring_relation = report.NeighbouringRelation,
        against_coordinator = report.AgainstCoordinator,
        recorded_epsilon_against_coordinator_rdp = report.RecordedFinalEpsilonAgainstCoordinatorRdp,
        recorded_epsilon_against_coordinator_pld = report.RecordedFinalEpsilonAgainstCoordinatorPld,
        recomputed_epsilon_against_coordinator_rdp = report.RecomputedFinalEpsilonAgainstCoordinatorRdp,
        recomputed_epsilon_against_coordinator_pld = report.RecomputedFinalEpsilonAgainstCoordinatorPld,
        accounting_version = report.AccountingVersion,
        recorded_delta_total = report.RecordedFinalDeltaTotal,
        recomputed_delta_total = report.RecomputedFinalDeltaTotal,
        recorded_delta_total_against_coordinator = report.RecordedFinalDeltaTotalAgainstCoordinator,
        recomputed_delta_total_against_coordinator = report.RecomputedFinalDeltaTotalAgainstCoordinator,
        discrepancies = report.Discrepancies.Select(d => new { kind = d.Kind, sequence = d.Sequence, round = d.Round, message = d.Message }),
    });

    private static string G(double? value) => value is { } v ? v.ToString("G6", CultureInfo.InvariantCulture) : "n/a";
}
