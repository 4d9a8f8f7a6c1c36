using System.CommandLine;
using FedLearn.Identity;
using FedLearn.Participant.Encoding;
using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Participant.Telemetry;
using FedLearn.Participant.Work;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace FedLearn.Participant.Commands;

/// <summary><c>fedlearn-participant run</c>: the daemon.</summary>
internal static partial class RunCommand
{
    public static Command Create()
    {
        var coordinator = new Option<string>("--coordinator")
        {
            Description = "The coordinator's gRPC address (https://; http:// only for a development coordinator). For a cluster, several addresses separated by commas: the daemon moves to the next one when the one in use is unreachable.",
            DefaultValueFactory = _ => "https://127.0.0.1:5100",
        };
        var credentials = ParticipantCredentials.Option();
        var id = new Option<string?>("--id")
        {
            Description = "This participant's identifier. With TLS it is the enrolled certificate's name (--id may repeat it); required against an http:// development coordinator.",
        };
        var data = new Option<string>("--data") { Description = "Local data: a directory of IDX train files or a CSV file.", Required = true };
        var labelColumn = new Option<string>("--label-column") { Description = "The label column of a CSV file.", DefaultValueFactory = _ => "label" };
        var threads = new Option<int>("--threads") { Description = "Threads for local training.", DefaultValueFactory = _ => 1 };
        var policy = new Option<string?>("--policy")
        {
            Description = "A JSON privacy policy file; rounds that break it are declined. Without one, every round is accepted and objections are logged.",
        };
        var spendLog = new Option<string?>("--spend-log")
        {
            Description = "The append-only spend log (JSON Lines). Default: fedlearn-spent.jsonl in the directory holding --data.",
        };
        var maxBackoff = new Option<int>("--max-backoff")
        {
            Description = "The longest wait, in seconds (1-300), between attempts to reach a coordinator that went away; the waits grow to it with jitter.",
            DefaultValueFactory = _ => 10,
        };
        var command = new Command("run", "Connect to a coordinator and take part in training sessions until stopped (Ctrl+C).")
        {
            coordinator, credentials, id, data, labelColumn, threads, policy, spendLog, maxBackoff,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (CoordinatorAddresses.Parse(parse.GetRequiredValue(coordinator)) is not { } addresses)
            {
                await Console.Error.WriteLineAsync(
                    $"error: --coordinator must be one http:// or https:// address, or several of one scheme separated by commas, not '{parse.GetRequiredValue(coordinator)}'.");
                return 2;
            }
            var coordinatorUrl = addresses[0];
            if (parse.GetValue(maxBackoff) is < 1 or > 300)
            {
                await Console.Error.WriteLineAsync($"error: --max-backoff must be between 1 and 300 seconds, not {parse.GetValue(maxBackoff)}.");
                return 2;
            }
            ParticipantPolicy participantPolicy;
            SpendLog spent;
            try
            {
                participantPolicy = parse.GetValue(policy) is { } policyPath ? ParticipantPolicyFile.Load(policyPath) : ParticipantPolicy.Permissive;
                spent = SpendLog.Open(parse.GetValue(spendLog) ?? SpendLog.DefaultPathFor(parse.GetRequiredValue(data)));
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
            ClientCredentials? enrolled = null;
            string participantId;
            try
            {
                (enrolled, participantId) = ParticipantCredentials.Resolve(coordinatorUrl, parse.GetRequiredValue(credentials), parse.GetValue(id));
            }
            catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }
            var settings = new ParticipantSettings(coordinatorUrl, participantId, TimeSpan.FromSeconds(parse.GetValue(maxBackoff)),
                Math.Max(1, parse.GetValue(threads)), enrolled, [.. addresses.Skip(1)]);
            // A line written while a round task runs ends with the trace id of the coordinator's attempt it belongs to.
            using var serilog = new LoggerConfiguration()
                .WriteTo.Console(outputTemplate: $"[{{Timestamp:HH:mm:ss}} {{Level:u3}}] {settings.ParticipantId}: {{Message:lj}} {{TraceId}}{{NewLine}}{{Exception}}")
                .CreateLogger();
            using var tracing = ParticipantTelemetry.ExportIfConfigured();
            using var loggers = new SerilogLoggerFactory(serilog);
            var log = loggers.CreateLogger("fedlearn-participant");
            try
            {
                var dataset = LocalData.Load(parse.GetRequiredValue(data), parse.GetRequiredValue(labelColumn));
                log.LogInformation("Loaded {Count} local examples with {Features} features", dataset.Count, dataset.FeatureSize);
                LogPrivacySetup(log, participantPolicy, spent.Path);
                var guard = new PolicyGuard(participantPolicy, settings.ParticipantId);
                using var executor = new RoundExecutor(
                    settings, dataset, UpdateEncoders.Default(loggers.CreateLogger<ClipEncoder>()), loggers.CreateLogger<RoundExecutor>(), guard, spent);
                var worker = new ParticipantWorker(settings, dataset.Count, executor, loggers.CreateLogger<ParticipantWorker>());
                await worker.RunAsync(ct);
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or InvalidOperationException)
            {
                log.LogError("{Message}", e.Message);
                return 1;
            }
        });
        return command;
    }

    private static void LogPrivacySetup(Microsoft.Extensions.Logging.ILogger log, ParticipantPolicy policy, string spendLogPath)
    {
        if (policy.Enforced)
        {
            LogPolicy(log, policy.MaxEpsilonPerSession, policy.MaxDelta, policy.MinParticipantsPerRound,
                policy.RequireSecureAggregation ? "required" : "not required", policy.AllowNonPrivateSessions ? "allowed" : "declined");
        }
        else
        {
            LogNoPolicy(log);
        }
        LogSpendLog(log, spendLogPath);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy policy: max ε per session {MaxEpsilon}, max δ {MaxDelta}, at least {MinParticipants} participants per round, secure aggregation {SecureAggregation}, non-private sessions {NonPrivate}")]
    private static partial void LogPolicy(
        Microsoft.Extensions.Logging.ILogger logger, double maxEpsilon, double maxDelta, int minParticipants, string secureAggregation, string nonPrivate);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No --policy file: every round is accepted; what a policy would object to is logged")]
    private static partial void LogNoPolicy(Microsoft.Extensions.Logging.ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Spend log: {SpendLog}")]
    private static partial void LogSpendLog(Microsoft.Extensions.Logging.ILogger logger, string spendLog);
}
