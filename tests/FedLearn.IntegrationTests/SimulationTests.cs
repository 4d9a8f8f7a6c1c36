using System.Diagnostics;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Participant.Spending;
using FedLearn.Protos.V1;

namespace FedLearn.IntegrationTests;

/// <summary>
/// A simulated population the way an operator runs one: `fedlearn participant enroll-many` invites and enrolls 50
/// identities through the real coordinator, `fedlearn-participant simulate` runs them in one process over mutual TLS
/// (each its own certificate, CSV shard and spend log) through a real session to completion, and stops on Ctrl+C (SIGINT)
/// with its summary.
/// </summary>
public sealed class SimulationTests : IAsyncLifetime
{
    private const int Population = 50;
    private const int Rounds = 3;

    private TestDatabase _database = null!;
    private TestCoordinator _coordinator = null!;
    private string _directory = null!;
    private string _shards = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _directory = Directory.CreateTempSubdirectory("fedlearn-simulate-").FullName;
        _shards = Path.Combine(_directory, "shards");
        var (_, testSet) = SyntheticData.Write(_shards, Population, examplesEach: 20);
        File.Move(testSet, Path.Combine(_directory, "test.csv"));
        _database = await TestDatabase.CreateAsync();
        _coordinator = await TestCoordinator.StartAsync(_database.ConnectionString, Path.Combine(_directory, "test.csv"));
    }

    public async ValueTask DisposeAsync()
    {
        await _coordinator.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Simulate_FiftyEnrolledParticipants_CompleteASession_EachWithItsOwnSpendLog()
    {
        var address = _coordinator.Address.ToString();
        var population = Path.Combine(_directory, "population");
        var spendLogs = Path.Combine(_directory, "spend-logs");
        var enroll = await BuiltTool.RunCliAsync("participant", "enroll-many", "--count", $"{Population}", "--prefix", "sim", "--out", population,
            "--coordinator", address);
        Assert.True(enroll.ExitCode == 0, enroll.Output);
        var identities = Directory.GetDirectories(population).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(Enumerable.Range(0, Population).Select(i => $"sim-{i:D5}"), identities);
        var listed = await BuiltTool.RunCliAsync("participant", "list", "--coordinator", address);
        Assert.Equal(Population, listed.Output.Split('\n').Count(l => l.StartsWith("sim-", StringComparison.Ordinal) && l.Contains("enrolled", StringComparison.Ordinal)));

        using var simulator = StartSimulator("--coordinator", address, "--population", population, "--data", _shards, "--spend-logs", spendLogs,
            "--trainings", "2", "--transfers", "8", "--log", Path.Combine(_directory, "simulate.log"));
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, Rounds, perRound: Population, min: 40, deadlineSeconds: 60);
        var created = await _coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await _coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        var final = await Sessions.WatchUntilFinishedAsync(_coordinator.Admin, created.SessionId, TimeSpan.FromMinutes(4));
        var (exitCode, output) = await simulator.InterruptAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(SessionState.Completed, final.State);
        Assert.Equal(Rounds, final.CompletedRounds);
        Assert.True(exitCode == 0, output);
        var aggregated = new Dictionary<int, int>();
        for (var round = 1; round <= Rounds; round++)
        {
            var details = await _coordinator.Admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = round }, cancellationToken: Ct);
            Assert.InRange(details.ParticipantsAggregated, 40, Population);
            aggregated[round] = details.ParticipantsAggregated;
        }
        Assert.Matches(@"participants\s+50", output);

        // Every virtual participant kept its own spend log, naming itself and the session, and recorded every attempt
        // before its update left: at least as many lines per round as the coordinator aggregated.
        var logs = Directory.GetFiles(spendLogs, "*.jsonl").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(identities.Select(i => $"{i}.jsonl"), logs.Select(Path.GetFileName));
        var records = logs.SelectMany(path =>
        {
            var lines = SpendLog.Read(path);
            Assert.All(lines, r => Assert.Equal((Path.GetFileNameWithoutExtension(path), created.SessionId), (r.ParticipantId, r.SessionId)));
            return lines;
        }).ToList();
        Assert.All(logs, path => Assert.NotEmpty(SpendLog.Read(path)));
        for (var round = 1; round <= Rounds; round++)
        {
            Assert.True(records.Count(r => r.Round == round) >= aggregated[round], $"round {round}: {records.Count(r => r.Round == round)} spend lines, {aggregated[round]} aggregated");
        }
    }

    [Fact]
    public async Task Simulate_MoreParticipantsThanIdentities_ExitsTwoNamingTheShortfall()
    {
        var population = Path.Combine(_directory, "population-small");
        var enroll = await BuiltTool.RunCliAsync("participant", "enroll-many", "--count", "3", "--prefix", "few", "--out", population,
            "--coordinator", _coordinator.Address.ToString());
        Assert.True(enroll.ExitCode == 0, enroll.Output);

        var run = await BuiltTool.RunParticipantToolAsync("simulate", "--coordinator", _coordinator.Address.ToString(),
            "--population", population, "--data", _shards, "--participants", "10");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("holds 3 enrolled identities, fewer than the 10 participants asked for", run.Output, StringComparison.Ordinal);
    }

    private static SimulatorProcess StartSimulator(params string[] arguments) => new(arguments);

    /// <summary>`fedlearn-participant simulate` as a child process; killed if the test ends before it exits.</summary>
    private sealed class SimulatorProcess : IDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _output;
        private readonly Task<string> _error;
        private readonly string? _logPath;

        public SimulatorProcess(string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(BuiltTool.Path("FedLearn.Participant", "fedlearn-participant.dll"));
            start.ArgumentList.Add("simulate");
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            _logPath = arguments.SkipWhile(a => a != "--log").Skip(1).FirstOrDefault();
            _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start fedlearn-participant simulate.");
            _output = _process.StandardOutput.ReadToEndAsync();
            _error = _process.StandardError.ReadToEndAsync();
        }

        /// <summary>Ctrl+C, as an operator stops it, then waits for it to exit.</summary>
        public async Task<(int ExitCode, string Output)> InterruptAsync(TimeSpan timeout)
        {
            using (var kill = Process.Start("kill", ["-INT", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }
            using var limit = new CancellationTokenSource(timeout);
            try
            {
                await _process.WaitForExitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
                var log = _logPath is { } path && File.Exists(path) ? string.Join('\n', File.ReadLines(path).TakeLast(40)) : "";
                Assert.Fail($"simulate did not stop within {timeout} of Ctrl+C; it printed:\n{await _output}{await _error}\nits log ends:\n{log}");
            }
            return (_process.ExitCode, await _output + await _error);
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }
}
