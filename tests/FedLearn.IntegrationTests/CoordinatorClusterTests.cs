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
/// Three coordinator processes form one Orleans cluster with membership in PostgreSQL; participant daemons know every
/// address. Two private sessions run; the silo that commits one of them is killed with SIGKILL while a round is open. Both
/// sessions finish by themselves: each round 1..R committed exactly once, the ledger verifies, and the session that lost
/// its silo was reactivated on another one.
/// </summary>
public sealed class CoordinatorClusterTests : IAsyncLifetime
{
    private const int Rounds = 4;
    private const int ParticipantCount = 3;

    private readonly List<CoordinatorProcess> _silos = [];
    private readonly List<ParticipantProcess> _participants = [];
    private readonly List<GrpcChannel> _channels = [];
    private TestDatabase _database = null!;
    private string _directory = null!;
    private string _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _directory = Directory.CreateTempSubdirectory("fedlearn-test-cluster-").FullName;
        _federation = Path.Combine(_directory, "federation");
        FederationSetup.Initialize(_federation, "test", ["127.0.0.1", "localhost"], "admin", DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var participant in _participants)
        {
            participant.Dispose();
        }
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }
        foreach (var silo in _silos)
        {
            silo.Dispose();
        }
        await _database.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task ASiloKilledMidRound_SessionsContinueOnTheOthers_EveryRoundCommittedOnce_LedgersVerify()
    {
        var (shards, testSet) = SyntheticData.Write(Path.Combine(_directory, "data"), ParticipantCount, examplesEach: 150);
        // Started together: they share the federation's ledger key file, which the first creates under an advisory lock.
        for (var i = 0; i < 3; i++)
        {
            _silos.Add(new CoordinatorProcess($"silo-{i}", _database, _federation, testSet, "cluster-test", Path.Combine(_directory, $"silo-{i}")));
        }
        using var ca = CertificateAuthority.Load(Path.Combine(_federation, FederationSetup.CaCertificate), Path.Combine(_federation, FederationSetup.CaKey));
        await Task.WhenAll(_silos.Select(s => s.WaitUntilServingAsync(ca.Certificate, Ct)));
        var members = await ActiveMembersAsync();
        Assert.Equal(3, members);

        // Each participant lists every silo, starting at a different one, so work streams are spread over the cluster.
        for (var i = 0; i < ParticipantCount; i++)
        {
            var id = $"member{i}";
            using var certificate = ca.IssueClientWithKey(id, Roles.Participant, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
            var credentials = ClientCredentials.Save(Path.Combine(_directory, "clients", id), ca.Certificate, certificate);
            var addresses = string.Join(",", Enumerable.Range(0, _silos.Count).Select(k => _silos[(i + k) % _silos.Count].Address));
            _participants.Add(new ParticipantProcess(addresses, credentials.Directory, id, shards[i],
                "--spend-log", Path.Combine(_directory, $"spent-{id}.jsonl")));
        }

        var admin = Admin(_silos[0]);
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, ParticipantCount, Ct);
        List<string> sessions = [];
        for (var s = 0; s < 2; s++)
        {
            var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, Rounds, perRound: ParticipantCount, min: 2, deadlineSeconds: 30);
            config.Privacy = new PrivacyConfig
            {
                EpsilonBudget = 100, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 1.0, CentralNoise = true,
            };
            // Created through different silos: any silo serves the admin API.
            var created = await Admin(_silos[s]).CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
            await Admin(_silos[s]).StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
            sessions.Add(created.SessionId);
        }

        // The victim is the silo whose session grain committed the first session's round 1; it dies while a round is open.
        var watched = sessions[0];
        var victim = await SiloCommittingAsync(watched);
        await WaitForOpenRoundAsync(admin, watched);
        victim.Kill();
        var survivors = _silos.Where(s => s != victim).ToList();

        foreach (var session in sessions)
        {
            var survivorAdmin = Admin(survivors[0]);
            var final = await WatchThroughFailureDetectionAsync(survivorAdmin, session);
            Assert.True(final.State == SessionState.Completed, $"{session}: {final}");
            Assert.Equal(Rounds, final.CompletedRounds);

            // Every round committed exactly once (the database's unique index would refuse a second; this checks none is missing).
            Assert.Equal(Enumerable.Range(1, Rounds), await CommittedRoundsAsync(session));
            var ledger = LedgerJson.Deserialize((await survivorAdmin.GetLedgerAsync(new SessionRequest { SessionId = session }, cancellationToken: Ct)).Json);
            Assert.Equal(Enumerable.Range(1, Rounds), ledger.Entries.Select(e => e.Round));
            // The CLI given the dead silo first finds it unavailable and runs the command again at the next address.
            var verified = await BuiltTool.RunCliAsync("ledger", "verify", session, "--coordinator", $"{victim.Address},{survivors[1].Address}",
                "--credentials", Path.Combine(_federation, FederationSetup.AdminDirectory));
            Assert.True(verified.ExitCode == 0, verified.Output);
            Assert.Contains($"trying {survivors[1].Address}", verified.Output, StringComparison.Ordinal);
        }

        // The watched session lived on the victim and went on by itself on a survivor.
        Assert.Contains(survivors, s => s.Output.Contains($"Resuming session {watched}", StringComparison.Ordinal));
        Assert.Contains(survivors, s => CommittedRoundRegex(watched).IsMatch(s.Output));
        Assert.Equal(2, await ActiveMembersAsync());
    }

    private AdminService.AdminServiceClient Admin(CoordinatorProcess silo)
    {
        var channel = GrpcChannel.ForAddress(silo.Address, new GrpcChannelOptions
        {
            HttpHandler = ClientCredentials.Load(Path.Combine(_federation, FederationSetup.AdminDirectory)).CreateHandler(),
            DisposeHttpClient = true,
        });
        _channels.Add(channel);
        return new AdminService.AdminServiceClient(channel);
    }

    /// <summary>
    /// Follows the session to its end. Until the cluster has declared the killed silo dead (some 20 s), a call that reaches
    /// a grain still registered on it is answered UNAVAILABLE ("retry later"); a client retries, and so does this.
    /// </summary>
    private static async Task<SessionStatus> WatchThroughFailureDetectionAsync(AdminService.AdminServiceClient admin, string sessionId)
    {
        var giveUpAt = DateTimeOffset.UtcNow.AddSeconds(300);
        while (true)
        {
            try
            {
                return await Sessions.WatchUntilFinishedAsync(admin, sessionId, giveUpAt - DateTimeOffset.UtcNow);
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTimeOffset.UtcNow < giveUpAt)
            {
                await Task.Delay(1000, Ct);
            }
        }
    }

    private static Regex CommittedRoundRegex(string sessionId) => new($@"Session {Regex.Escape(sessionId)} committed round \d+");

    private async Task<CoordinatorProcess> SiloCommittingAsync(string sessionId)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (true)
        {
            if (_silos.FirstOrDefault(s => CommittedRoundRegex(sessionId).IsMatch(s.Output)) is { } silo)
            {
                return silo;
            }
            await Task.Delay(100, timeout.Token);
        }
    }

    private static async Task WaitForOpenRoundAsync(AdminService.AdminServiceClient admin, string sessionId)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            var status = await admin.GetSessionStatusAsync(new SessionRequest { SessionId = sessionId }, cancellationToken: timeout.Token);
            Assert.True(status.CompletedRounds < Rounds, $"Session {sessionId} finished before a silo could be killed mid-round.");
            if (status.CurrentRound > 0)
            {
                return;
            }
            await Task.Delay(50, timeout.Token);
        }
    }

    private async Task<List<int>> CommittedRoundsAsync(string sessionId)
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT round FROM rounds WHERE session_id = $1 AND outcome = 'committed' ORDER BY round");
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        List<int> rounds = [];
        while (await reader.ReadAsync(Ct))
        {
            rounds.Add(reader.GetInt32(0));
        }
        return rounds;
    }

    /// <summary>Silos the cluster's membership table lists as active (status 3).</summary>
    private async Task<long> ActiveMembersAsync()
    {
        await using var command = _database.DataSource.CreateCommand(
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = 'cluster-test' AND status = 3");
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }
}
