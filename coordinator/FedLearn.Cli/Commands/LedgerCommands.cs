using System.CommandLine;
using System.Globalization;
using FedLearn.Cli.Output;
using FedLearn.Ledger;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Commands;

/// <summary>
/// <c>fedlearn ledger show|export|verify</c>: the auditor's tools. <c>verify</c> runs on this machine with this code: it
/// needs the coordinator only to fetch the ledger, or nothing at all with <c>--file</c>.
/// </summary>
internal static class LedgerCommands
{
    private static readonly Argument<string?> Session = new("session")
    {
        Description = "The session whose ledger to read (fetched from the coordinator, which reads it from PostgreSQL).",
        Arity = ArgumentArity.ZeroOrOne,
    };

    public static Command Create()
    {
        var ledger = new Command("ledger", "Read, export and independently verify a session's privacy ledger.");
        ledger.Add(ShowCommand());
        ledger.Add(ExportCommand());
        ledger.Add(VerifyCommand());
        return ledger;
    }

    private static Command ShowCommand()
    {
        var file = FileOption("Read an exported ledger instead of asking the coordinator.");
        var command = new Command("show", "Print the ledger: budget, and one line per committed round.") { Session, file };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var (document, _) = await LoadAsync(parse, file, ct);
            if (parse.GetValue(CoordinatorConnection.Json))
            {
                Console.WriteLine(LedgerJson.Serialize(document));
                return ExitCodes.Success;
            }
            Console.WriteLine(LedgerText.Describe(document));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ExportCommand()
    {
        var format = new Option<string>("--format") { Description = "json (complete, verifiable offline) or csv (entries only).", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "csv");
        var output = new Option<FileInfo?>("--out") { Description = "Write to this file instead of standard output." };
        var command = new Command("export", "Export the ledger for auditors.") { Session, format, output };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var (document, _) = await LoadAsync(parse, null, ct);
            var text = parse.GetValue(format) == "csv" ? LedgerCsv.Write(document.Entries) : LedgerJson.Serialize(document);
            if (parse.GetValue(output) is { } file)
            {
                await File.WriteAllTextAsync(file.FullName, text, ct);
                await Console.Error.WriteLineAsync($"Wrote {document.Entries.Count} ledger entries to {file.FullName}");
            }
            else
            {
                Console.Write(text);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command VerifyCommand()
    {
        var file = FileOption("Verify an exported ledger (JSON) alone: no coordinator, no database.");
        var publicKey = new Option<string?>("--public-key")
        {
            Description = "The coordinator's ledger key (SPKI, base64) obtained out of band. Without it: online, the key the coordinator signs " +
                "with (its status, not the ledger header in its database); with --file, the key in the ledger header.",
        };
        var command = new Command("verify", "Check the hash chain, the signatures, checkpoints against entries, and recompute every epsilon.")
        {
            Session, file, publicKey,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var (document, signerKey) = await LoadAsync(parse, file, ct);
            // Online, the key is pinned to the one the coordinator signs with, so a ledger re-keyed in the database fails.
            var key = parse.GetValue(publicKey) ?? signerKey;
            var report = await Task.Run(() => LedgerVerifier.Verify(document, key), ct);
            Console.WriteLine(parse.GetValue(CoordinatorConnection.Json) ? LedgerText.Json(report) : LedgerText.Describe(report, key is not null));
            return report.IsValid ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }));
        return command;
    }

    private static Option<FileInfo?> FileOption(string description) => new("--file") { Description = description };

    /// <summary>
    /// The ledger from <c>--file</c> or from the coordinator, and (online) the key the coordinator signs with. With both a
    /// session and <c>--file</c>, the file must hold that session's ledger. A malformed export is an input error (exit 2).
    /// </summary>
    private static async Task<(LedgerDocument Document, string? SignerKey)> LoadAsync(ParseResult parse, Option<FileInfo?>? fileOption, CancellationToken ct)
    {
        var file = fileOption is null ? null : parse.GetValue(fileOption);
        var session = parse.GetValue(Session);
        if (file is not null)
        {
            if (!file.Exists)
            {
                throw new FileNotFoundException($"No ledger export at '{file.FullName}'.");
            }
            var document = Parse(await File.ReadAllTextAsync(file.FullName, ct), file.FullName);
            if (!string.IsNullOrWhiteSpace(session) && document.Header.SessionId != session)
            {
                throw new ArgumentException(
                    $"'{file.FullName}' holds the ledger of session '{document.Header.SessionId}', not '{session}'; name the session in the file or leave it out.");
            }
            return (document, null);
        }
        if (string.IsNullOrWhiteSpace(session))
        {
            throw new ArgumentException("Name a session, or give --file with an exported ledger.");
        }
        using var channel = CoordinatorConnection.OpenChannel(parse);
        var admin = CoordinatorConnection.Admin(channel);
        var export = await admin.GetLedgerAsync(new SessionRequest { SessionId = session }, cancellationToken: ct);
        var status = await admin.GetSessionStatusAsync(new SessionRequest { SessionId = session }, cancellationToken: ct);
        if (status.LedgerKeyProblem.Length > 0)
        {
            await Console.Error.WriteLineAsync($"warning: {status.LedgerKeyProblem}");
        }
        return (Parse(export.Json, $"the ledger of session '{session}'"), status.LedgerPublicKey.Length > 0 ? status.LedgerPublicKey : null);
    }

    private static LedgerDocument Parse(string json, string source)
    {
        try
        {
            return LedgerJson.Deserialize(json);
        }
        catch (LedgerFormatException e)
        {
            throw new InvalidDataException($"{source} is not a valid ledger export: {e.Message}", e);
        }
    }
}
