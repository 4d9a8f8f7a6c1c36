using System.CommandLine;
using System.Globalization;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// <c>fedlearn-bench coordinator --participants N --rounds R</c>: the coordinator's data path under N connected
/// participants (docs/benchmarks.md, "Coordinator data path").
/// </summary>
internal static class CoordinatorBenchCommand
{
    public static Command Create()
    {
        var participants = new Option<int>("--participants") { Description = "Participants connected (each its own identity and mutual-TLS connection).", DefaultValueFactory = _ => 100 };
        var perRound = new Option<int>("--per-round") { Description = "Participants selected per round (default: all of them)." };
        var rounds = new Option<int>("--rounds") { Description = "Plain (non-private) rounds to run.", DefaultValueFactory = _ => 5 };
        var database = new Option<string>("--database")
        {
            Description = "Admin connection string of a PostgreSQL server; a fresh database is created and dropped. Default: $FEDLEARN_TEST_DB.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FEDLEARN_TEST_DB") ?? "",
        };
        var coordinatorDll = new Option<string>("--coordinator-dll")
        {
            Description = "The built coordinator to run (default: the Release build next to this benchmark in artifacts/bin).",
            DefaultValueFactory = _ => Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "FedLearn.Coordinator", "release", "fedlearn-coordinator.dll")),
        };
        var testData = new Option<string>("--test-data") { Description = "Test set the coordinator evaluates each round on (default: none, so only the data path is timed)." };
        var deadline = new Option<int>("--deadline") { Description = "Round deadline in seconds.", DefaultValueFactory = _ => 120 };
        var noFloor = new Option<bool>("--no-floor") { Description = "Skip the floor measurement." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("coordinator", "Round time, coordinator CPU and memory with N lightweight participants over real gRPC, beside the floor measured the same way.")
        {
            participants, perRound, rounds, database, coordinatorDll, testData, deadline, noFloor, json,
        };
        command.SetAction(async (parse, ct) =>
        {
            var n = parse.GetValue(participants);
            var options = new CoordinatorBenchOptions(
                n, parse.GetValue(perRound) is > 0 and var k ? k : n, parse.GetValue(rounds), parse.GetValue(database)!,
                parse.GetValue(coordinatorDll)!, parse.GetValue(testData), parse.GetValue(deadline), !parse.GetValue(noFloor));
            if (options.Participants < 1 || options.PerRound > options.Participants || options.Rounds < 1 || string.IsNullOrWhiteSpace(options.Database))
            {
                Console.Error.WriteLine("Need --participants >= 1, --per-round <= --participants, --rounds >= 1 and --database (or FEDLEARN_TEST_DB).");
                return 2;
            }
            var result = await CoordinatorBenchmark.RunAsync(options, Console.Error, ct);
            Console.WriteLine(parse.GetValue(json) ? result.ToJson() : result.ToText());
            return result.Lost == 0 && result.Failures.Count == 0 ? 0 : 1;
        });
        return command;
    }
}

internal sealed record CoordinatorBenchOptions(
    int Participants, int PerRound, int Rounds, string Database, string CoordinatorDll, string? TestData, int DeadlineSeconds, bool Floor);

internal static class Stats
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    public static string F(double value, string format = "0.000") => value.ToString(format, CultureInfo.InvariantCulture);
}
