using System.CommandLine;
using FedLearn.Cli.Output;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Grpc.Core;

namespace FedLearn.Cli.Commands;

/// <summary><c>fedlearn session …</c>: create, start, stop, inspect and watch training sessions.</summary>
internal static class SessionCommands
{
    public static Command Create()
    {
        var session = new Command("session", "Create, start, stop and watch training sessions.");
        session.Add(CreateCommand());
        session.Add(SimpleCommand("start", "Start a created session.", (admin, id, ct) => admin.StartSessionAsync(new SessionRequest { SessionId = id }, cancellationToken: ct).ResponseAsync));
        session.Add(SimpleCommand("stop", "Stop a session; committed rounds stay.", (admin, id, ct) => admin.StopSessionAsync(new SessionRequest { SessionId = id }, cancellationToken: ct).ResponseAsync));
        session.Add(SimpleCommand("status", "Show a session's status.", (admin, id, ct) => admin.GetSessionStatusAsync(new SessionRequest { SessionId = id }, cancellationToken: ct).ResponseAsync));
        session.Add(ListCommand());
        session.Add(WatchCommand());
        session.Add(RoundCommand());
        session.Add(SessionReportCommand.Create(SessionId));
        return session;
    }

    private static readonly Argument<string> SessionId = new("session") { Description = "The session id (from `session create` or `session list`)." };

    private static Command CreateCommand()
    {
        var config = new Option<FileInfo>("--config") { Description = "Session configuration (JSON; see examples/sessions/).", Required = true };
        var start = new Option<bool>("--start") { Description = "Start the session right after creating it." };
        var model = new Option<FileInfo>("--model")
        {
            Description = "An ONNX model (PyTorch or Keras export of an MLP or softmax regression) whose architecture and weights start the session.",
        };
        var command = new Command("create", "Create a session from a configuration file.") { config, start, model };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var file = parse.GetRequiredValue(config);
            if (!file.Exists)
            {
                throw new FileNotFoundException($"No configuration file at '{file.FullName}'.");
            }
            var sessionConfig = SessionConfigFile.Parse(await File.ReadAllTextAsync(file.FullName, ct));
            if (parse.GetValue(model) is { } onnx)
            {
                sessionConfig.InitialModelOnnx = ByteString.CopyFrom(await ReadModelAsync(onnx, ct));
            }
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var admin = CoordinatorConnection.Admin(channel);
            var status = await admin.CreateSessionAsync(new CreateSessionRequest { Config = sessionConfig }, cancellationToken: ct);
            if (parse.GetValue(start))
            {
                status = await admin.StartSessionAsync(new SessionRequest { SessionId = status.SessionId }, cancellationToken: ct);
            }
            Print(parse, status);
            if (!parse.GetValue(CoordinatorConnection.Json) && status.LedgerKeySha256.Length > 0)
            {
                // Written down outside the coordinator's database, it lets anyone tell later whether the ledger was re-keyed.
                Console.WriteLine($"ledger key sha256 {status.LedgerKeySha256}  (keep it: every round task carries it, and the ledger must be signed by this key)");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary>A sanity bound on the file; the coordinator's gRPC message limit (8 MiB by default) is usually the tighter one.</summary>
    private const long MaxModelBytes = 256L * 1024 * 1024;

    private static async Task<byte[]> ReadModelAsync(FileInfo file, CancellationToken ct)
    {
        if (!file.Exists)
        {
            throw new FileNotFoundException($"No ONNX model at '{file.FullName}'.");
        }
        if (file.Length > MaxModelBytes)
        {
            throw new ArgumentException($"The ONNX model '{file.FullName}' is {file.Length / (1024 * 1024)} MiB; at most 256 MiB is supported.");
        }
        return await File.ReadAllBytesAsync(file.FullName, ct);
    }

    private static Command SimpleCommand(string name, string description,
        Func<AdminService.AdminServiceClient, string, CancellationToken, Task<SessionStatus>> call)
    {
        var command = new Command(name, description) { SessionId };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            Print(parse, await call(CoordinatorConnection.Admin(channel), parse.GetRequiredValue(SessionId), ct));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ListCommand()
    {
        var command = new Command("list", "List all sessions, newest first.");
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var reply = await CoordinatorConnection.Admin(channel).ListSessionsAsync(new ListSessionsRequest(), cancellationToken: ct);
            if (parse.GetValue(CoordinatorConnection.Json))
            {
                Console.WriteLine(StatusText.Json(reply));
                return ExitCodes.Success;
            }
            Console.WriteLine($"{"SESSION",-16} {"STATE",-17} {"ROUNDS",-9} {"TEST ACC",-9} NAME");
            foreach (var s in reply.Sessions)
            {
                Console.WriteLine($"{s.SessionId,-16} {StatusText.State(s.State),-17} {$"{s.CompletedRounds}/{s.TotalRounds}",-9} " +
                                  $"{StatusText.Percent(s.LastRound?.TestAccuracy ?? 0),-9} {s.Name}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command WatchCommand()
    {
        var command = new Command("watch", "Follow a session live until it ends (exit code 5 if it ends other than completed).") { SessionId };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var json = parse.GetValue(CoordinatorConnection.Json);
            var progress = new ProgressLine(Console.Out, !Console.IsOutputRedirected);
            using var call = CoordinatorConnection.Admin(channel).WatchSession(new SessionRequest { SessionId = parse.GetRequiredValue(SessionId) }, cancellationToken: ct);
            SessionStatus? last = null;
            await foreach (var status in call.ResponseStream.ReadAllAsync(ct))
            {
                last = status;
                if (json)
                {
                    Console.WriteLine(StatusText.Json(status));
                }
                else
                {
                    progress.Show(status);
                }
            }
            if (!json)
            {
                progress.Finish();
                if (last is not null)
                {
                    Console.WriteLine(StatusText.Describe(last));
                }
            }
            return last?.State == SessionState.Completed ? ExitCodes.Success : ExitCodes.SessionNotCompleted;
        }));
        return command;
    }

    private static Command RoundCommand()
    {
        var round = new Option<int>("--round") { Description = "Round number (from 1).", Required = true };
        var command = new Command("round", "Show one round's details.") { SessionId, round };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var details = await CoordinatorConnection.Admin(channel).GetRoundAsync(
                new GetRoundRequest { SessionId = parse.GetRequiredValue(SessionId), Round = parse.GetValue(round) }, cancellationToken: ct);
            Console.WriteLine(parse.GetValue(CoordinatorConnection.Json) ? StatusText.Json(details) : StatusText.Describe(details));
            return ExitCodes.Success;
        }));
        return command;
    }

    private static void Print(ParseResult parse, SessionStatus status) =>
        Console.WriteLine(parse.GetValue(CoordinatorConnection.Json) ? StatusText.Json(status) : StatusText.Describe(status));
}
