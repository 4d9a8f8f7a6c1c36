using System.Text.Json;
using System.Text.RegularExpressions;
using FedLearn.Identity;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>
/// The coordinator in a crash loop (issue 9 item 6): one real fedlearn-coordinator process is SIGKILLed again and again —
/// mid-round after the participants trained, while it resumes, as the last update of an attempt arrives (the commit), and
/// right after a commit (between rounds) — and restarted on the same ports each time, while real participant daemons keep
/// reconnecting. The example-private (DP-SGD) session still finishes within every participant's budget; rounds 1..R
/// are committed exactly once; no attempt number is handed out twice; every attempt a participant trained for is in its
/// spend log; no attempt is left open; the ledger verifies.
/// </summary>
public sealed partial class CoordinatorCrashLoopTests : IAsyncLifetime
{
    private const int ParticipantCount = 3;
    private const double Budget = 2.0;

    private readonly List<ParticipantProcess> _participants = [];
    private readonly List<string> _spendLogs = [];
    private readonly List<GrpcChannel> _channels = [];
    private TestDatabase _database = null!;
    private CoordinatorProcess _coordinator = null!;
    private CertificateAuthority _ca = null!;
    private string _directory = null!;
    private string _federation = null!;
    private int _rounds;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _directory = Directory.CreateTempSubdirectory("fedlearn-test-crashloop-").FullName;
        _federation = Path.Combine(_directory, "federation");
        FederationSetup.Initialize(_federation, "test", ["127.0.0.1", "localhost"], "admin", DateTimeOffset.UtcNow);
        _ca = CertificateAuthority.Load(Path.Combine(_federation, FederationSetup.CaCertificate), Path.Combine(_federation, FederationSetup.CaKey));
    }

    public async ValueTask DisposeAsync()
    {
        // For a failure's post-mortem: the processes' logs, when FEDLEARN_TEST_LOG_DIRECTORY names where to keep them.
        if (Environment.GetEnvironmentVariable("FEDLEARN_TEST_LOG_DIRECTORY") is { Length: > 0 } logs)
        {
            Directory.CreateDirectory(logs);
            await File.WriteAllTextAsync(Path.Combine(logs, "coordinator.log"), _coordinator?.Output ?? "");
            for (var i = 0; i < _participants.Count; i++)
            {
                await File.WriteAllTextAsync(Path.Combine(logs, $"member{i}.log"), _participants[i].Output);
            }
        }
        foreach (var participant in _participants)
        {
            participant.Dispose();
        }
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
        _coordinator?.Dispose();
        _ca?.Dispose();
        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ExamplePrivateSession_CoordinatorKilledRepeatedly_FinishesWithinBudget_EachRoundOnce_EveryTrainingSpent()
    {
        _rounds = 3;
        var admin = await StartFederationAsync();
        // Whoever is connected is drawn (up to three), two suffice: a round never waits for a daemon still reconnecting.
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, _rounds, perRound: ParticipantCount, min: 2, deadlineSeconds: 60);
        config.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = Budget, Delta = 1e-5, ClipNorm = 1.0, ExpectedBatchSize = 25 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        var session = created.SessionId;

        // As many kills after training as the σ calibration's rerun allowance (max(3, ⌈R/4⌉) = 3) absorbs, and one at the
        // commit: if each rerun were trained for again, the last round would find the budget spent.
        await KillRepeatedlyAsync(session, Aim.AfterTraining, Aim.WhileResuming, Aim.AfterTraining, Aim.AtCommit, Aim.BetweenRounds, Aim.AfterTraining);

        // Each participant's example-level ε stays within its budget, and its spend log agrees with the ledger.
        var ledger = await ExportLedgerAsync(session);
        foreach (var log in _spendLogs.Where(File.Exists))
        {
            var example = SpendLines(log, session).Select(l => l.GetProperty("example")).ToList();
            var epsilons = example.Select(e => e.GetProperty("epsilon").GetDouble()).ToList();
            Assert.True(epsilons.All(e => e <= Budget), $"{log}: ε {string.Join(", ", epsilons)}");
            // The model changes only when a round commits: a rerun on the same model sent the update trained for it again.
            var trainings = example.Count(e => e.GetProperty("steps").GetInt32() > 0);
            Assert.True(trainings <= _rounds, $"{log}: trained {trainings} times for {_rounds} rounds");
            var checkedLedger = await BuiltTool.RunParticipantToolAsync("check-ledger", "--ledger", ledger, "--spend-log", log);
            Assert.True(checkedLedger.ExitCode == 0, checkedLedger.Output);
        }
    }

    /// <summary>
    /// (b) A participant-level private session with secure aggregation in the same crash loop. Such a session never redraws:
    /// an attempt the crash lost commits its round unchanged and charged (D2), so the kills use up rounds; each is still
    /// committed once, charged in the ledger, and every participant's spend log agrees with it.
    /// </summary>
    [Fact]
    public async Task SecureAggregationSession_CoordinatorKilledRepeatedly_EveryRoundCommittedOnceAndCharged_SpendLogsAgree()
    {
        _rounds = 5;
        var admin = await StartFederationAsync();
        // Secure aggregation needs three in a cohort: every daemon is drawn (q = 1) once all three are back.
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, _rounds, perRound: ParticipantCount, min: 3, deadlineSeconds: 60);
        // ρ = 0: a cohort this small cannot open beside 5% colluders of the population (c(n) ≥ its threshold).
        config.Privacy = new PrivacyConfig { EpsilonBudget = 100, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 1.0, ColluderFraction = 0 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        Assert.True(created.Privacy.Parameters.SecureAggregation);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        var session = created.SessionId;

        await KillRepeatedlyAsync(session, Aim.AfterTraining, Aim.WhileResuming, Aim.AtCommit, Aim.BetweenRounds, Aim.AfterTraining);

        var ledger = await ExportLedgerAsync(session);
        var entries = LedgerJson.Deserialize(await File.ReadAllTextAsync(ledger, Ct)).Entries;
        Assert.Equal(Enumerable.Range(1, _rounds), entries.Select(e => e.Round));
        Assert.All(entries, e => Assert.True(e.NoiseMultiplier > 0, $"round {e.Round} is not charged"));
        foreach (var log in _spendLogs.Where(File.Exists))
        {
            var checkedLedger = await BuiltTool.RunParticipantToolAsync("check-ledger", "--ledger", ledger, "--spend-log", log);
            Assert.True(checkedLedger.ExitCode == 0, checkedLedger.Output);
        }
    }

    /// <summary>A lone coordinator on localhost clustering, the default deployment, and the daemons; the admin client.</summary>
    private async Task<AdminService.AdminServiceClient> StartFederationAsync()
    {
        var (shards, testSet) = SyntheticData.Write(Path.Combine(_directory, "data"), ParticipantCount, examplesEach: 100);
        _coordinator = new CoordinatorProcess("crashing", _database, _federation, testSet, "crash-loop", Path.Combine(_directory, "coordinator"), cluster: false);
        await _coordinator.WaitUntilServingAsync(_ca.Certificate, Ct);
        StartParticipants(shards);
        var admin = Admin();
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, ParticipantCount, Ct);
        return admin;
    }

    /// <summary>
    /// Kills the coordinator at each aim in turn (until the session ends), restarting it on the same ports each time, then
    /// follows the session to its end and checks what must hold however the kills landed.
    /// </summary>
    private async Task KillRepeatedlyAsync(string session, params Aim[] aims)
    {
        List<string> kills = [];
        foreach (var aim in aims)
        {
            if (!await WaitForAimAsync(session, aim))
            {
                break; // The session finished first.
            }
            _coordinator.Kill();
            kills.Add($"{aim} (round {await CommittedCountAsync(session) + 1})");
            TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} killed: {kills[^1]}");
            _coordinator.Restart();
        }
        Assert.True(kills.Count >= aims.Length - 1, $"Only {kills.Count} kills landed before the session ended: {string.Join(", ", kills)}");

        var final = await WatchThroughRestartAsync(session);
        TestContext.Current.TestOutputHelper?.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} finished: {final.State}");
        Assert.True(final.State == SessionState.Completed, $"{final} after kills {string.Join(", ", kills)}\n{_coordinator.Output}");
        await AssertCrashInvariantsAsync(session);
    }

    private async Task<string> ExportLedgerAsync(string session)
    {
        var ledger = Path.Combine(_directory, "ledger.json");
        await File.WriteAllTextAsync(ledger, (await Admin().GetLedgerAsync(new SessionRequest { SessionId = session }, cancellationToken: Ct)).Json, Ct);
        return ledger;
    }

    private enum Aim
    {
        /// <summary>A participant has trained for the open attempt and recorded its spend: the update is on its way.</summary>
        AfterTraining,

        /// <summary>The restarted coordinator has just begun serving: its resumer is waking the session.</summary>
        WhileResuming,

        /// <summary>Every update of the open attempt has been accepted: the round is closing and committing.</summary>
        AtCommit,

        /// <summary>A round has just committed; the next one is opening.</summary>
        BetweenRounds,
    }

    /// <summary>Waits for the moment to kill; false when the session finished before it came.</summary>
    private async Task<bool> WaitForAimAsync(string session, Aim aim)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(180));
        await _coordinator.WaitUntilServingAsync(_ca.Certificate, timeout.Token);
        if (aim == Aim.WhileResuming)
        {
            return true;
        }
        var committed = await CommittedCountAsync(session);
        var spent = TotalSpendLines(session);
        var accepted = AcceptedUploads(session, committed + 1);
        while (true)
        {
            if (committed >= _rounds || await CommittedCountAsync(session) >= _rounds)
            {
                return false;
            }
            var done = aim switch
            {
                Aim.AfterTraining => TotalSpendLines(session) > spent,
                Aim.BetweenRounds => await CommittedCountAsync(session) > committed,
                // (A commit seen already is killed right after: the aim is as close as the polling gets.)
                Aim.AtCommit => await CommittedCountAsync(session) > committed
                                || (await OpenAttemptAsync(session) is { } open && open.Round == committed + 1
                                    && AcceptedUploads(session, open.Round) - accepted >= open.Selected),
                _ => true,
            };
            if (done)
            {
                return true;
            }
            await Task.Delay(20, timeout.Token);
        }
    }

    /// <summary>
    /// What must hold however the kills landed: rounds 1..R committed once each, every attempt the database opened has an
    /// outcome (none left open), attempt numbers of a round are 1..k with none handed out twice, each participant trained
    /// for an attempt at most once and recorded every attempt it trained for, and the ledger verifies.
    /// </summary>
    private async Task AssertCrashInvariantsAsync(string session)
    {
        Assert.Equal(Enumerable.Range(1, _rounds), await QueryIntsAsync("SELECT round FROM rounds WHERE session_id = $1 AND outcome = 'committed' ORDER BY round", session));
        Assert.Empty(await QueryIntsAsync("""
            SELECT a.attempt FROM round_attempts a WHERE a.session_id = $1
              AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.session_id = a.session_id AND r.round = a.round AND r.attempt = a.attempt)
            """, session));
        var opened = await QueryPairsAsync("SELECT round, attempt FROM round_attempts WHERE session_id = $1 ORDER BY round, attempt", session);
        foreach (var round in opened.GroupBy(p => p.Round))
        {
            Assert.Equal(Enumerable.Range(1, round.Count()), round.Select(p => p.Attempt));
        }

        for (var i = 0; i < _participants.Count; i++)
        {
            var trained = TrainedAttempts(_participants[i].Output, session);
            Assert.True(trained.Distinct().Count() == trained.Count, $"member{i} trained twice for one attempt: {string.Join(", ", trained)}");
            var spent = File.Exists(_spendLogs[i])
                ? SpendLines(_spendLogs[i], session).Select(l => (l.GetProperty("round").GetInt32(), l.GetProperty("attempt").GetInt32())).ToList()
                : [];
            Assert.True(spent.Distinct().Count() == spent.Count, $"member{i} spent one attempt twice: {string.Join(", ", spent)}");
            Assert.All(trained, t => Assert.Contains(t, spent));
            Assert.All(spent, s => Assert.Contains(s, opened));
        }

        var verified = await BuiltTool.RunCliAsync("ledger", "verify", session, "--coordinator", _coordinator.Address.ToString(),
            "--credentials", Path.Combine(_federation, FederationSetup.AdminDirectory));
        Assert.True(verified.ExitCode == 0, verified.Output);
    }

    private void StartParticipants(string[] shards)
    {
        for (var i = 0; i < shards.Length; i++)
        {
            var id = $"member{i}";
            using var certificate = _ca.IssueClientWithKey(id, Roles.Participant, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
            var credentials = ClientCredentials.Save(Path.Combine(_directory, "clients", id), _ca.Certificate, certificate);
            var spendLog = Path.Combine(_directory, "spent", $"{id}.jsonl");
            _spendLogs.Add(spendLog);
            _participants.Add(new ParticipantProcess(_coordinator.Address.ToString(), credentials.Directory, id, shards[i],
                "--spend-log", spendLog, "--max-backoff", "2"));
        }
    }

    private AdminService.AdminServiceClient Admin()
    {
        var channel = GrpcChannel.ForAddress(_coordinator.Address, new GrpcChannelOptions
        {
            HttpHandler = ClientCredentials.Load(Path.Combine(_federation, FederationSetup.AdminDirectory)).CreateHandler(),
            DisposeHttpClient = true,
        });
        _channels.Add(channel);
        return new AdminService.AdminServiceClient(channel);
    }

    /// <summary>Follows the session to its end across the last restart (a call may meet the coordinator still starting).</summary>
    private async Task<SessionStatus> WatchThroughRestartAsync(string session)
    {
        var giveUpAt = DateTimeOffset.UtcNow.AddSeconds(300);
        await _coordinator.WaitUntilServingAsync(_ca.Certificate, Ct);
        while (true)
        {
            try
            {
                return await Sessions.WatchUntilFinishedAsync(Admin(), session, giveUpAt - DateTimeOffset.UtcNow);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTimeOffset.UtcNow < giveUpAt)
            {
                await Task.Delay(500, Ct);
            }
        }
    }

    private int TotalSpendLines(string session) => _spendLogs.Where(File.Exists).Sum(log => SpendLines(log, session).Count);

    /// <summary>The log's lines of the session; read again while a daemon holds the log's lock to append.</summary>
    private static List<JsonElement> SpendLines(string log, string session)
    {
        while (true)
        {
            try
            {
                return [.. File.ReadAllLines(log).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
                    .Where(l => l.GetProperty("session_id").GetString() == session)];
            }
            catch (IOException)
            {
                Thread.Sleep(10);
            }
        }
    }

    private int AcceptedUploads(string session, int round) =>
        _participants.Sum(p => Regex.Count(p.Output, $@"Session {Regex.Escape(session)} round {round}: update accepted"));

    private static List<(int Round, int Attempt)> TrainedAttempts(string output, string session) =>
        [.. TrainingRegex().Matches(output).Where(m => m.Groups["session"].Value == session)
            .Select(m => (int.Parse(m.Groups["round"].Value, System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(m.Groups["attempt"].Value, System.Globalization.CultureInfo.InvariantCulture)))];

    [GeneratedRegex(@"Session (?<session>\S+) round (?<round>\d+) \(attempt (?<attempt>\d+)\): training on")]
    private static partial Regex TrainingRegex();

    private async Task<int> CommittedCountAsync(string session) =>
        (await QueryIntsAsync("SELECT count(*)::int FROM rounds WHERE session_id = $1 AND outcome = 'committed'", session)).Single();

    /// <summary>The attempt opened and not yet settled, with how many participants it selected; null when none is open.</summary>
    private async Task<(int Round, int Selected)?> OpenAttemptAsync(string session)
    {
        await using var command = _database.DataSource.CreateCommand("""
            SELECT a.round, a.participants_selected FROM round_attempts a WHERE a.session_id = $1
              AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.session_id = a.session_id AND r.round = a.round AND r.attempt = a.attempt)
            ORDER BY a.round DESC, a.attempt DESC LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = session });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        return await reader.ReadAsync(Ct) ? (reader.GetInt32(0), reader.GetInt32(1)) : null;
    }

    private async Task<List<int>> QueryIntsAsync(string sql, string session) =>
        [.. (await QueryPairsAsync($"SELECT x, 0 FROM ({sql}) AS q(x)", session)).Select(p => p.Round)];

    private async Task<List<(int Round, int Attempt)>> QueryPairsAsync(string sql, string session)
    {
        await using var command = _database.DataSource.CreateCommand(sql);
        command.Parameters.Add(new NpgsqlParameter { Value = session });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        List<(int, int)> rows = [];
        while (await reader.ReadAsync(Ct))
        {
            rows.Add((reader.GetInt32(0), reader.GetInt32(1)));
        }
        return rows;
    }
}
