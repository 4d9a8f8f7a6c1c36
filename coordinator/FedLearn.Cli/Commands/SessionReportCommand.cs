using System.CommandLine;
using FedLearn.Cli.Output;
using FedLearn.Ledger;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Commands;

/// <summary>
/// <c>fedlearn session report SESSION --out report.html</c>: the learning curves and the privacy spent per round as one
/// self-contained HTML page, for people who do not use the notebooks.
/// </summary>
internal static class SessionReportCommand
{
    public static Command Create(Argument<string> sessionId)
    {
        var output = new Option<FileInfo>("--out") { Description = "The HTML file to write.", Required = true };
        var command = new Command("report", "Write a session's learning curves and privacy spent per round to an HTML page.") { sessionId, output };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var file = parse.GetRequiredValue(output);
            if (file.Directory is { Exists: false } directory)
            {
                throw new DirectoryNotFoundException($"The directory '{directory.FullName}' for the report does not exist.");
            }
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var admin = CoordinatorConnection.Admin(channel);
            var session = parse.GetRequiredValue(sessionId);
            var status = await admin.GetSessionStatusAsync(new SessionRequest { SessionId = session }, cancellationToken: ct);
            var rounds = new List<RoundDetails>(status.CompletedRounds);
            for (var round = 1; round <= status.CompletedRounds; round++)
            {
                if (!Console.IsErrorRedirected)
                {
                    Console.Error.Write($"\rreading round {round} of {status.CompletedRounds}");
                }
                rounds.Add(await admin.GetRoundAsync(new GetRoundRequest { SessionId = session, Round = round }, cancellationToken: ct));
            }
            if (!Console.IsErrorRedirected && rounds.Count > 0)
            {
                Console.Error.WriteLine();
            }
            var ledger = await ReadLedgerAsync(admin, status, ct);
            await File.WriteAllTextAsync(file.FullName, SessionReportHtml.Build(status, rounds, ledger, DateTimeOffset.UtcNow), ct);
            Console.WriteLine($"Wrote {file.FullName}: {rounds.Count} rounds" + (ledger is null ? "" : $", {ledger.Entries.Count} ledger entries"));
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>The session's privacy ledger, or null for a session without one.</summary>
    private static async Task<LedgerDocument?> ReadLedgerAsync(AdminService.AdminServiceClient admin, SessionStatus status, CancellationToken ct)
    {
        if (status.Privacy is null && status.Config?.ExamplePrivacy is null)
        {
            return null;
        }
        var export = await admin.GetLedgerAsync(new SessionRequest { SessionId = status.SessionId }, cancellationToken: ct);
        try
        {
            return LedgerJson.Deserialize(export.Json);
        }
        catch (LedgerFormatException e)
        {
            throw new InvalidDataException($"The ledger of session '{status.SessionId}' is not a valid ledger export: {e.Message}", e);
        }
    }
}
