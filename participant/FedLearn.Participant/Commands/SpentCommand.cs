using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FedLearn.Participant.Spending;

namespace FedLearn.Participant.Commands;

/// <summary>
/// <c>fedlearn-participant spent</c>: what the local spend log says this machine's data has spent, per session: the
/// participant-level ε (against everyone who sees what the coordinator publishes), the ε the coordinator's ledger
/// declared, the participant-level ε against the coordinator itself (or that there is none), and the example-level ε.
/// </summary>
internal static class SpentCommand
{
    public static Command Create()
    {
        var spendLog = new Option<string?>("--spend-log") { Description = "The spend log (default: fedlearn-spent.jsonl beside --data, else in the current directory)." };
        var data = new Option<string?>("--data") { Description = "The local data given to 'run', to find the default spend log beside it." };
        var json = new Option<bool>("--json") { Description = "Print a JSON array instead of a table." };
        var command = new Command("spent", "Show the privacy this participant spent, per session, from its local spend log.") { spendLog, data, json };
        command.SetAction(parse =>
        {
            var path = parse.GetValue(spendLog)
                       ?? (parse.GetValue(data) is { } dataPath ? SpendLog.DefaultPathFor(dataPath) : SpendLog.DefaultFileName);
            try
            {
                if (!File.Exists(path))
                {
                    Console.Error.WriteLine($"No spend log at '{Path.GetFullPath(path)}' (nothing uploaded yet, or give --spend-log / --data).");
                }
                Console.Out.Write(Render(SessionSpend.Summarize(SpendLog.Read(path)), parse.GetValue(json)));
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    internal static string Render(IReadOnlyList<SessionSpend> sessions, bool json)
    {
        if (json)
        {
            return JsonSerializer.Serialize(sessions, SpendLogJsonContext.Default.IReadOnlyListSessionSpend) + Environment.NewLine;
        }
        if (sessions.Count == 0)
        {
            return "No rounds recorded." + Environment.NewLine;
        }
        string[] header =
        [
            "PARTICIPANT", "SESSION", "ROUNDS", "ATTEMPTS", "PARTICIPANT-LEVEL ε", "BUDGET ε", "δ", "ACCOUNTANT", "LEDGER ε",
            "ε AGAINST COORDINATOR", "EXAMPLE-LEVEL ε / BUDGET", "LAST (UTC)",
        ];
        var rows = sessions.Select(s => new[]
        {
            s.ParticipantId,
            s.SessionId,
            s.Rounds.ToString(CultureInfo.InvariantCulture),
            s.RepeatedAttempts == 0
                ? s.Uploads.ToString(CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{s.Uploads} ({s.RepeatedAttempts} repeated)"),
            s.Private ? Number(s.MaxEpsilon) : "unbounded (no DP)",
            Number(s.EpsilonBudget),
            Number(s.Delta),
            s.Accountant ?? "-",
            Number(s.CoordinatorEpsilonSpent),
            s.AgainstCoordinatorLabel(),
            s.MaxExampleEpsilon is null ? "-" : $"{Number(s.MaxExampleEpsilon)} / {Number(s.ExampleEpsilonBudget)}",
            s.LastTime.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        }).ToList();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new System.Text.StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.Append(string.Join("  ", row.Select((cell, i) => cell.PadRight(widths[i]))).TrimEnd()).Append(Environment.NewLine);
        }
        return text.ToString();
    }

    private static string Number(double? value) => value?.ToString("G4", CultureInfo.InvariantCulture) ?? "-";
}
