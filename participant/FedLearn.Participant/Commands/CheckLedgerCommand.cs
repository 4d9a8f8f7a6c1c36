using System.CommandLine;
using FedLearn.Ledger;
using FedLearn.Participant.Spending;

namespace FedLearn.Participant.Commands;

/// <summary>
/// <c>fedlearn-participant check-ledger</c>: a data owner's audit of a session's ledger export. It runs the ledger
/// verifier (chain, signatures, checkpoints, participant-level ε recomputed) and then compares the ledger with this
/// machine's spend log: the parameters the round tasks asked for must be those the ledger declares and records, and the
/// key fingerprint every round task named (recorded in the spend log) must be that of the key in the export (and of
/// --public-key, when given). Any disagreement exits 6 and is named.
/// </summary>
internal static class CheckLedgerCommand
{
    /// <summary>The same code as <c>fedlearn ledger verify</c> uses for a ledger that does not verify.</summary>
    public const int DiscrepanciesFound = 6;

    public static Command Create()
    {
        var ledgerFile = new Option<FileInfo>("--ledger")
        {
            Description = "The session's ledger export (fedlearn ledger export SESSION --out FILE).",
            Required = true,
        };
        var publicKey = new Option<string?>("--public-key") { Description = "The coordinator's ledger key (SPKI, base64); without it the key in the ledger is used." };
        var spendLog = new Option<string?>("--spend-log") { Description = "The spend log (default: fedlearn-spent.jsonl beside --data, else in the current directory)." };
        var data = new Option<string?>("--data") { Description = "The local data given to 'run', to find the default spend log beside it." };
        var command = new Command("check-ledger", "Verify a session's ledger export and check it against this participant's spend log.")
        {
            ledgerFile, publicKey, spendLog, data,
        };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(spendLog)
                       ?? (parse.GetValue(data) is { } dataPath ? SpendLog.DefaultPathFor(dataPath) : SpendLog.DefaultFileName);
            try
            {
                var file = parse.GetValue(ledgerFile)!;
                if (!file.Exists)
                {
                    throw new FileNotFoundException($"No ledger export at '{file.FullName}'.");
                }
                var ledger = LedgerJson.Deserialize(File.ReadAllText(file.FullName));
                var (text, clean) = Check(ledger, SpendLog.Read(path), parse.GetValue(publicKey));
                Console.Out.Write(text);
                return clean ? 0 : DiscrepanciesFound;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or LedgerFormatException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static (string Text, bool Clean) Check(LedgerDocument ledger, IReadOnlyList<SpendRecord> records, string? publicKey)
    {
        var report = LedgerVerifier.Verify(ledger, publicKey);
        var mine = records.Where(r => r.SessionId == ledger.Header.SessionId).ToList();
        var problems = LedgerCrossCheck.Problems(ledger, mine).ToList();
        if (publicKey is not null)
        {
            // The key pinned on the command line must also be the one the round tasks named.
            problems.AddRange(LedgerCrossCheck.KeyProblems(LedgerSigner.Fingerprint(publicKey), "--public-key is", mine));
        }
        var text = new System.Text.StringBuilder()
            .AppendLine($"ledger of session {ledger.Header.SessionId}: {ledger.Entries.Count} entries, " +
                        (report.IsValid ? "verifies" : $"{report.Discrepancies.Count} discrepancies") +
                        (publicKey is null ? " (checked against the key in the ledger; pass --public-key to pin it)" : ""));
        foreach (var d in report.Discrepancies)
        {
            text.AppendLine($"  [{d.Kind}] {d.Message}");
        }
        var keyed = mine.Count(r => r.LedgerKeySha256 is not null);
        text.AppendLine($"ledger key sha256 {LedgerSigner.Fingerprint(ledger.Header.PublicKey)}: " + (keyed == 0
            ? "no attempt in the spend log recorded the key its round task named"
            : $"{keyed} of {mine.Count} attempts recorded the key their round task named"));
        text.AppendLine($"spend log: {mine.Count} attempts of this session; " +
                        (problems.Count == 0 ? "every round task's parameters and key match the ledger" : $"{problems.Count} disagreements with the ledger"));
        foreach (var problem in problems)
        {
            text.AppendLine($"  {problem}");
        }
        if (mine.Count == 0)
        {
            text.AppendLine("  (this spend log holds no round of the session: nothing to compare)");
        }
        return (text.ToString(), report.IsValid && problems.Count == 0);
    }
}
