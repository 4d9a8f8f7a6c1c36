using System.CommandLine;
using FedLearn.Cli.Output;
using FedLearn.Identity;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Commands;

/// <summary><c>fedlearn audit-log show|verify</c>: who did what to which session or identity, and whether the record is intact.</summary>
internal static class AuditLogCommands
{
    public static Command Create()
    {
        var audit = new Command("audit-log", "The append-only, hash-chained log of operator actions (admin, auditor).");
        var show = new Command("show", "Print every operator action, oldest first.");
        show.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var log = await FetchAsync(parse, ct);
            if (parse.GetValue(CoordinatorConnection.Json))
            {
                Console.WriteLine(StatusText.Json(log));
                return ExitCodes.Success;
            }
            foreach (var e in log.Entries)
            {
                Console.WriteLine($"{e.Sequence,5}  {e.At.ToDateTimeOffset():yyyy-MM-dd HH:mm:ss}Z  {e.Actor} ({e.ActorRole})  {e.Action} {e.Target}  {e.Details}".TrimEnd());
            }
            return ExitCodes.Success;
        }));
        var verify = new Command("verify", "Recompute the hash chain of the whole log; exit 6 naming every break.");
        verify.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var log = await FetchAsync(parse, ct);
            var problems = AuditChain.Verify([.. log.Entries.Select(e => new AuditRecord(
                e.Sequence, e.At.ToDateTimeOffset(), e.Actor, e.ActorRole, e.Action, e.Target, e.Details, e.PreviousHash, e.EntryHash))]);
            foreach (var problem in problems)
            {
                Console.WriteLine($"discrepancy: {problem}");
            }
            Console.WriteLine(problems.Count == 0
                ? $"The audit log verifies: {log.Entries.Count} entries, hash chain intact{(log.Entries.Count > 0 ? $", head {log.Entries[^1].EntryHash}" : "")}."
                : $"The audit log does NOT verify: {problems.Count} discrepancies.");
            return problems.Count == 0 ? ExitCodes.Success : ExitCodes.VerificationFailed;
        }));
        audit.Add(show);
        audit.Add(verify);
        return audit;
    }

    private static async Task<AuditLog> FetchAsync(ParseResult parse, CancellationToken ct)
    {
        using var channel = CoordinatorConnection.OpenChannel(parse);
        return await CoordinatorConnection.Identity(channel).GetAuditLogAsync(new GetAuditLogRequest(), cancellationToken: ct);
    }
}
