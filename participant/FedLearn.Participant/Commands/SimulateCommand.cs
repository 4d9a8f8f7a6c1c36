using System.CommandLine;
using FedLearn.Participant.Policy;
using FedLearn.Participant.Simulation;
using Serilog;
using Serilog.Events;

namespace FedLearn.Participant.Commands;

/// <summary>
/// <c>fedlearn-participant simulate</c>: runs a population of virtual participants in this process against a real
/// coordinator, each with its own enrolled identity, shard, spend log and policy, over mutual TLS, with the daemon's code.
/// </summary>
internal static class SimulateCommand
{
    public static Command Create()
    {
        var coordinator = new Option<string>("--coordinator") { Description = "The coordinator's https:// address.", DefaultValueFactory = _ => "https://127.0.0.1:5100" };
        var population = new Option<string>("--population")
        {
            Description = "Directory of the population's credentials, one directory per participant (written by `fedlearn participant enroll-many`).",
            Required = true,
        };
        var data = new Option<string>("--data")
        {
            Description = "Directory of shards, one per participant: directories of IDX files or .csv files (e.g. from `split-dataset`). The i-th shard by name goes to the i-th identity by name.",
            Required = true,
        };
        var participants = new Option<int?>("--participants") { Description = "How many participants to run (default: one per shard)." };
        var labelColumn = new Option<string>("--label-column") { Description = "The label column of CSV shards.", DefaultValueFactory = _ => "label" };
        var policy = new Option<string?>("--policy")
        {
            Description = "A JSON privacy policy for every participant; a policy.json in a shard directory replaces it for that participant. Without one, every round is accepted.",
        };
        var spendLogs = new Option<string?>("--spend-logs") { Description = "Directory of the participants' spend logs, <id>.jsonl each (default: <data>/spend-logs)." };
        var trainings = new Option<int>("--trainings")
        {
            Description = "Trainings at once across the population, each on a shared ONNX Runtime session (default: one per core).",
            DefaultValueFactory = _ => Environment.ProcessorCount,
        };
        var transfers = new Option<int>("--transfers")
        {
            Description = "Tasks holding a model-sized buffer at once (downloading, training or uploading); the rest wait their turn.",
            DefaultValueFactory = _ => 16,
        };
        var exitAfterIdle = new Option<double?>("--exit-after-idle")
        {
            Description = "Stop once tasks have come and none has for this many seconds, nothing being under way (default: run until Ctrl+C).",
        };
        var log = new Option<string?>("--log") { Description = "The participants' log file (default: <data>/simulate.log)." };
        var verbose = new Option<bool>("--verbose") { Description = "Log every participant's rounds (information), not only warnings and errors." };
        var command = new Command("simulate",
            "Run a population of virtual participants in this process against a coordinator: each with its own identity, shard, spend log and policy; the same code as `run`.")
        {
            coordinator, population, data, participants, labelColumn, policy, spendLogs, trainings, transfers, exitAfterIdle, log, verbose,
        };
        command.SetAction(async (parse, ct) =>
        {
            var address = parse.GetRequiredValue(coordinator);
            var dataDirectory = parse.GetRequiredValue(data);
            if (!Uri.TryCreate(address, UriKind.Absolute, out var coordinatorUrl) || coordinatorUrl.Scheme != Uri.UriSchemeHttps)
            {
                await Console.Error.WriteLineAsync($"error: --coordinator must be an https:// address (simulated participants use mutual TLS like real ones), not '{address}'.");
                return 2;
            }
            if (parse.GetValue(trainings) < 1 || parse.GetValue(transfers) < 1)
            {
                await Console.Error.WriteLineAsync("error: --trainings and --transfers must be at least 1.");
                return 2;
            }
            if (parse.GetValue(exitAfterIdle) is { } idle && !(idle > 0 && double.IsFinite(idle)))
            {
                await Console.Error.WriteLineAsync("error: --exit-after-idle must be a positive number of seconds.");
                return 2;
            }
            IReadOnlyList<PopulationMember> members;
            SimulationOptions options;
            try
            {
                members = PopulationLayout.Pair(parse.GetRequiredValue(population), dataDirectory,
                    parse.GetValue(spendLogs) ?? Path.Combine(dataDirectory, "spend-logs"), parse.GetValue(participants));
                var sharedPolicy = parse.GetValue(policy) is { } policyPath ? ParticipantPolicyFile.Load(policyPath) : ParticipantPolicy.Permissive;
                options = new SimulationOptions(coordinatorUrl, sharedPolicy, parse.GetValue(trainings), parse.GetValue(transfers),
                    parse.GetRequiredValue(labelColumn), parse.GetValue(exitAfterIdle) is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
            }
            catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return 2;
            }

            var logPath = parse.GetValue(log) ?? Path.Combine(dataDirectory, "simulate.log");
            using var logger = new LoggerConfiguration()
                .MinimumLevel.Is(parse.GetValue(verbose) ? LogEventLevel.Information : LogEventLevel.Warning)
                .WriteTo.File(logPath, outputTemplate: "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Participant}: {Message:lj}{NewLine}{Exception}")
                .CreateLogger();
            return await Simulator.RunAsync(members, options, logger, logPath, ct);
        });
        return command;
    }
}
