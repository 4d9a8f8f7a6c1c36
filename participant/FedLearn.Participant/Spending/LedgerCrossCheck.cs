using System.Globalization;
using FedLearn.Ledger;

namespace FedLearn.Participant.Spending;

/// <summary>
/// A data owner's check of the coordinator's ledger against its own spend log: the parameters the coordinator's round
/// tasks asked this participant to train under must be the ones the ledger declares and records, and the ledger must be
/// signed with the key the round tasks named. A coordinator that told participants one thing and signed another (a
/// smaller clip norm, a larger budget, an example level it never asked for), or a ledger re-signed with another key by
/// whoever could write the coordinator's database, is caught here, where the verifier alone cannot see it.
/// </summary>
public static class LedgerCrossCheck
{
    /// <summary>Every disagreement between <paramref name="ledger"/> and this log's records for the ledger's session.</summary>
    /// <param name="records">The spend log (records of other sessions are ignored).</param>
    public static IReadOnlyList<string> Problems(LedgerDocument ledger, IEnumerable<SpendRecord> records)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(records);
        var header = ledger.Header;
        var entries = ledger.Entries.GroupBy(e => e.Round).ToDictionary(g => g.Key, g => g.First());
        var mine = records.Where(r => r.SessionId == header.SessionId).ToList();
        var problems = KeyProblems(LedgerSigner.Fingerprint(header.PublicKey), "the export's header carries", mine).ToList();
        foreach (var record in mine)
        {
            var where = $"{record.ParticipantId} round {record.Round} attempt {record.Attempt}";
            entries.TryGetValue(record.Round, out var entry);
            ParticipantLevel(header, entry, record, where, problems);
            ExampleLevel(header.ExampleLevel, record, where, problems);
        }
        return problems;
    }

    /// <summary>
    /// The attempts whose round task named another ledger key than <paramref name="fingerprint"/>, one line per key named:
    /// the key the session was signed with when this participant trained, recorded outside the coordinator's database.
    /// Attempts that recorded no key (no ledger, or an older daemon or coordinator) are not compared.
    /// </summary>
    /// <param name="whose">What holds <paramref name="fingerprint"/>, for the message ("the export's header carries").</param>
    public static IEnumerable<string> KeyProblems(string fingerprint, string whose, IEnumerable<SpendRecord> sessionRecords) =>
        sessionRecords
            .Where(r => r.LedgerKeySha256 is not null && !string.Equals(r.LedgerKeySha256, fingerprint, StringComparison.OrdinalIgnoreCase))
            .GroupBy(r => r.LedgerKeySha256!.ToLowerInvariant())
            .Select(g => $"{Attempts(g.ToList())}: the round task named ledger key sha256 {g.Key}; {whose} key sha256 {fingerprint}.");

    private static string Attempts(List<SpendRecord> records) => records.Count == 1
        ? $"{records[0].ParticipantId} round {records[0].Round} attempt {records[0].Attempt}"
        : $"{records.Count} attempts (rounds {records.Min(r => r.Round)}–{records.Max(r => r.Round)})";

    private static void ParticipantLevel(LedgerHeader header, LedgerEntry? entry, SpendRecord record, string where, List<string> problems)
    {
        var trainedPrivately = record.Mechanism != SpendRecord.NoMechanism;
        if (header.HasParticipantLevel != trainedPrivately)
        {
            problems.Add(header.HasParticipantLevel
                ? $"{where}: the ledger declares a participant-level guarantee, but the round task asked for none."
                : $"{where}: the round task asked for participant-level privacy ({record.Mechanism}), but the ledger declares none.");
            return;
        }
        if (!trainedPrivately)
        {
            return;
        }
        Same(problems, where, "participant-level epsilon budget", record.EpsilonBudget, header.EpsilonBudget);
        Same(problems, where, "participant-level delta", record.Delta, header.Delta);
        if (entry is null)
        {
            return; // An attempt that was not committed has no entry.
        }
        if (entry.Mechanism != record.Mechanism)
        {
            problems.Add($"{where}: the round task's mechanism is {record.Mechanism}; the ledger entry records {entry.Mechanism}.");
        }
        Same(problems, where, "sampling rate", record.SamplingRate, entry.SamplingRate);
        Same(problems, where, "clip norm", record.ClipNorm, entry.ClipNorm);
        // With distributed noise the entry records the σ the survivors' noise actually gave, not the task's target.
        if (record.Mechanism == LedgerMechanisms.CentralGaussian)
        {
            Same(problems, where, "noise multiplier", record.NoiseMultiplier, entry.NoiseMultiplier);
        }
        if (header.RecordsEpsilonAgainstCoordinator)
        {
            AgainstCoordinator(header, entry, record, where, problems);
        }
    }

    /// <summary>Relative slack for comparing figures this participant and the coordinator computed with the same library.</summary>
    public const double Tolerance = 1e-6;

    /// <summary>
    /// The ledger's ε against the coordinator is the worst case over participants (one in every charged step so far), each
    /// step at the σ the round guaranteed when it opened (the s_min − c(n) certainly honest shares of the minimum survivors; s_min − ⌊ρ·n⌋ in ledgers before accounting version 6) — the σ this participant composed
    /// for its own attempts, from the same public parameters. So this participant's own figure after an attempt can never
    /// exceed the ledger's figure for that round, nor the entry's σ the one it computed: either would mean the coordinator
    /// recorded a smaller ε against itself than a participant really has (a lie, or a bug).
    /// </summary>
    private static void AgainstCoordinator(LedgerHeader header, LedgerEntry entry, SpendRecord record, string where, List<string> problems)
    {
        if (record.CoordinatorNoiseMultiplier is { } mine && entry.NoiseMultiplier is { } recorded && recorded > mine * (1 + Tolerance))
        {
            problems.Add($"{where}: the ledger charges noise multiplier {G(recorded)}, above the {G(mine)} this participant computed " +
                "its guarantee against the coordinator with: the ledger credits noise the round did not guarantee.");
        }
        if (record.EpsilonAgainstCoordinator is not { } own)
        {
            return;
        }
        var accountant = record.Accountant ?? header.Accountant;
        var worst = accountant == "pld" ? entry.EpsilonAgainstCoordinatorPld : entry.EpsilonAgainstCoordinatorRdp;
        if (worst is null || !(own <= worst.Value * (1 + Tolerance)))
        {
            problems.Add($"{where}: this participant's own epsilon against the coordinator ({accountant}) is {G(own)}, above the ledger's " +
                $"worst case {G(worst)} for round {entry.Round}: the coordinator recorded less than a participant really spent.");
        }
    }

    private static void ExampleLevel(ExampleLevelDeclaration? declared, SpendRecord record, string where, List<string> problems)
    {
        if (declared is null != record.Example is null)
        {
            problems.Add(declared is null
                ? $"{where}: this participant trained with example-level DP-SGD, but the ledger declares no example-level guarantee."
                : $"{where}: the ledger declares an example-level guarantee, but the round task did not ask for DP-SGD.");
            return;
        }
        if (declared is null || record.Example is not { } spent)
        {
            return;
        }
        Same(problems, where, "example-level epsilon budget", spent.EpsilonBudget, declared.EpsilonBudget);
        Same(problems, where, "example-level delta", spent.Delta, declared.Delta);
        Same(problems, where, "example-level clip norm", spent.ClipNorm, declared.ClipNorm);
        if (spent.Accountant != declared.Accountant)
        {
            problems.Add($"{where}: example-level accountant is {spent.Accountant} here; the ledger declares {declared.Accountant}.");
        }
        if (declared.NoiseMultiplier != 0)
        {
            Same(problems, where, "example-level noise multiplier", spent.NoiseMultiplier, declared.NoiseMultiplier);
        }
        else if (declared.CalibrationAttempts is { } attempts && spent.CalibrationAttempts is { } mine && mine != attempts)
        {
            problems.Add($"{where}: this participant calibrated DP-SGD's sigma for {mine} attempts (planned rounds plus reruns); " +
                $"the ledger declares {attempts}.");
        }
        if (!(spent.Epsilon <= declared.EpsilonBudget))
        {
            problems.Add($"{where}: this participant's example-level epsilon {G(spent.Epsilon)} exceeds the declared budget {G(declared.EpsilonBudget)}.");
        }
    }

    private static void Same(List<string> problems, string where, string what, double? here, double? ledger)
    {
        if (here != ledger)
        {
            problems.Add($"{where}: {what} is {G(here)} in the round task; the ledger says {G(ledger)}.");
        }
    }

    private static string G(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? "nothing";
}
