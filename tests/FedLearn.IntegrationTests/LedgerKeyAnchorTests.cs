using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Protos.V1;
using Grpc.Core;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>
/// Whoever can write the coordinator's database cannot re-key a session's ledger or swap a checkpoint's weights unnoticed
/// (issue 9, items 10 and 12): status and model export keep to the coordinator's own key, `ledger verify` names the
/// re-keying and the changed weights, and malformed exports are refused with exit code 2. Real PostgreSQL, gRPC, Orleans
/// and the real CLI.
/// </summary>
public sealed class LedgerKeyAnchorTests : IAsyncLifetime
{
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestCoordinator Coordinator => _federation.Coordinator;

    private string Address => Coordinator.Address.ToString();

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 4, examplesEach: 60, idPrefix: "key");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task LedgerRekeyedInTheDatabase_StatusAndExportKeepTheSignersKey_VerifyNamesIt()
    {
        // A fifth participant that records the fingerprint its round task carries (q = 1: it is in every cohort).
        var taskFingerprint = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopRecorder = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var recorder = RecordFirstTaskAsync(Coordinator.ParticipantClient("key-recorder"), taskFingerprint, stopRecorder.Token);
        await Sessions.WaitForParticipantsAsync(Coordinator.Admin, SyntheticData.Features, SyntheticData.Classes, 5, Ct);

        var created = await RunPrivateSessionAsync();
        Assert.Equal(LedgerSigner.Fingerprint(created.LedgerPublicKey), created.LedgerKeySha256);
        Assert.Empty(created.LedgerKeyProblem);
        Assert.Equal(created.LedgerKeySha256, await taskFingerprint.Task.WaitAsync(Ct));
        await stopRecorder.CancelAsync();
        await recorder;

        // `session create` prints the fingerprint, to be written down outside the coordinator.
        var configFile = Path.Combine(_federation.DataDirectory, "private-session.json");
        await File.WriteAllTextAsync(configFile, Google.Protobuf.JsonFormatter.Default.Format(PrivateConfig()), Ct);
        var createdByCli = await BuiltTool.RunCliAsync("session", "create", "--config", configFile, "--coordinator", Address);
        Assert.True(createdByCli.ExitCode == 0, createdByCli.Output);
        Assert.Contains($"ledger key sha256 {created.LedgerKeySha256}", createdByCli.Output, StringComparison.Ordinal);
        var ledger = LedgerJson.Deserialize((await Coordinator.Admin.GetLedgerAsync(Request(created), cancellationToken: Ct)).Json);

        // The attack of issue 9: a new key, the header and every entry re-signed with it, and smaller ε for good measure.
        using var forger = LedgerSigner.Create();
        var header = ledger.Header with { PublicKey = forger.PublicKey };
        var forged = new List<LedgerEntry>();
        foreach (var e in ledger.Entries)
        {
            var cheaper = e with { EpsilonRdp = e.EpsilonRdp / 2, EpsilonPld = e.EpsilonPld / 2 };
            forged.Add(forger.Seal(header, cheaper, LedgerChain.NextPreviousHash(header, forged.LastOrDefault())));
        }
        await using (var connection = await OpenWithoutTriggersAsync())
        {
            await ExecuteAsync(connection, "UPDATE ledger_headers SET public_key = $2 WHERE session_id = $1", created.SessionId, forger.PublicKey);
            foreach (var e in forged)
            {
                await ExecuteAsync(connection, """
                    UPDATE ledger_entries SET epsilon_rdp = $2, epsilon_pld = $3, previous_hash = $4, entry_hash = $5, signature = $6
                    WHERE session_id = $1 AND sequence = $7
                    """, created.SessionId, e.EpsilonRdp!.Value, e.EpsilonPld!.Value, e.PreviousHash, e.EntryHash, e.Signature, e.Sequence);
            }
        }
        // Checked against its own key alone, the forgery is consistent: that is why the key must come from elsewhere.
        var stored = LedgerJson.Deserialize((await Coordinator.Admin.GetLedgerAsync(Request(created), cancellationToken: Ct)).Json);
        Assert.True(LedgerVerifier.Verify(stored with { Checkpoints = [] }).OfKind(LedgerDiscrepancyKinds.SignatureInvalid).Count() == 0);

        // Status publishes the signer's key, not the database's, and says the ledger was re-keyed.
        var status = await Coordinator.Admin.GetSessionStatusAsync(Request(created), cancellationToken: Ct);
        Assert.Equal(created.LedgerPublicKey, status.LedgerPublicKey);
        Assert.Equal(created.LedgerKeySha256, status.LedgerKeySha256);
        Assert.Contains(forger.PublicKeySha256, status.LedgerKeyProblem, StringComparison.Ordinal);
        var shown = await BuiltTool.RunCliAsync("session", "status", created.SessionId, "--coordinator", Address);
        Assert.True(shown.ExitCode == 0, shown.Output);
        Assert.Contains($"key sha256 {created.LedgerKeySha256}", shown.Output, StringComparison.Ordinal);
        Assert.Contains("WARNING", shown.Output, StringComparison.Ordinal);

        // No model leaves under the forged ledger.
        var export = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            using var call = Coordinator.Admin.ExportModel(new ExportModelRequest { SessionId = created.SessionId }, cancellationToken: Ct);
            while (await call.ResponseStream.MoveNext(Ct))
            {
            }
        });
        Assert.Equal(StatusCode.FailedPrecondition, export.StatusCode);
        Assert.Contains(forger.PublicKeySha256, export.Status.Detail, StringComparison.Ordinal);

        // The auditor's online verify pins the coordinator's signing key and names the re-keying.
        var verified = await BuiltTool.RunCliAsync("ledger", "verify", created.SessionId, "--coordinator", Address);
        Assert.Equal(6, verified.ExitCode);
        Assert.Contains(LedgerDiscrepancyKinds.PublicKeyMismatch, verified.Output, StringComparison.Ordinal);
        Assert.Contains(LedgerDiscrepancyKinds.SignatureInvalid, verified.Output, StringComparison.Ordinal);
        Assert.Contains("re-keyed", verified.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckpointWeightsChangedInTheDatabase_OnlineVerifyNamesThem_MalformedExportsExitTwo()
    {
        var created = await RunPrivateSessionAsync();
        var file = Path.Combine(_federation.DataDirectory, "ledger.json");
        var exported = await BuiltTool.RunCliAsync("ledger", "export", created.SessionId, "--coordinator", Address, "--out", file);
        Assert.True(exported.ExitCode == 0, exported.Output);
        var clean = await BuiltTool.RunCliAsync("ledger", "verify", created.SessionId, "--coordinator", Address);
        Assert.True(clean.ExitCode == 0, clean.Output);

        // One weight of round 2 changed; the stored sha256 column left as it was.
        await using (var connection = await OpenWithoutTriggersAsync())
        {
            await ExecuteAsync(connection,
                "UPDATE checkpoints SET weights = overlay(weights placing '\\x0000803f'::bytea from 1 for 4) WHERE session_id = $1 AND round = 2",
                created.SessionId);
        }
        var caught = await BuiltTool.RunCliAsync("ledger", "verify", created.SessionId, "--coordinator", Address);
        Assert.Equal(6, caught.ExitCode);
        Assert.Contains($"[{LedgerDiscrepancyKinds.CheckpointShaMismatch}] entry 2 (round 2)", caught.Output, StringComparison.Ordinal);

        // verify SESSION --file F checks that F is that session's ledger.
        var wrongSession = await BuiltTool.RunCliAsync("ledger", "verify", "s-another", "--file", file);
        Assert.Equal(2, wrongSession.ExitCode);
        Assert.Contains($"holds the ledger of session '{created.SessionId}'", wrongSession.Output, StringComparison.Ordinal);
        var sameSession = await BuiltTool.RunCliAsync("ledger", "verify", created.SessionId, "--file", file);
        Assert.True(sameSession.ExitCode == 0, sameSession.Output);

        // Malformed exports are input errors (exit 2, one line), never a crash.
        var json = await File.ReadAllTextAsync(file, Ct);
        foreach (var (find, replace) in new[]
        {
            ("\"entry_hash\":", "\"surprise\": 1, \"entry_hash\":"),
            ("\"sequence\": 1,", "\"sequence\": 1.0,"),
            ("\"noise_multiplier\": 1,", "\"noise_multiplier\": NaN,"),
        })
        {
            Assert.Contains(find, json, StringComparison.Ordinal);
            var malformed = Path.Combine(_federation.DataDirectory, "malformed.json");
            await File.WriteAllTextAsync(malformed, json.Replace(find, replace, StringComparison.Ordinal), Ct);
            var result = await BuiltTool.RunCliAsync("ledger", "verify", "--file", malformed);
            Assert.True(result.ExitCode == 2, $"{replace}: {result.Output}");
            Assert.Contains("is not a valid ledger export", result.Output, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", result.Output, StringComparison.Ordinal);
        }
    }

    /// <summary>A central-noise session of two rounds in which every connected participant is sampled.</summary>
    private static SessionConfig PrivateConfig()
    {
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 2, perRound: 5, min: 2, deadlineSeconds: 20);
        config.Privacy = new PrivacyConfig
        {
            EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 1.0, CentralNoise = true,
        };
        return config;
    }

    /// <summary>Registers, records the ledger fingerprint of the first round task, then leaves (its update never comes).</summary>
    private static async Task RecordFirstTaskAsync(ParticipantService.ParticipantServiceClient client, TaskCompletionSource<string> fingerprint, CancellationToken ct)
    {
        try
        {
            await client.RegisterAsync(new RegisterRequest { ParticipantId = "key-recorder", NumExamples = 60 }, cancellationToken: ct);
            using var work = client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = "key-recorder" }, cancellationToken: ct);
            await foreach (var item in work.ResponseStream.ReadAllAsync(ct))
            {
                if (item.RoundTask is { } task)
                {
                    fingerprint.TrySetResult(task.LedgerKeySha256);
                    return;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
            // Stopped by the test.
        }
    }

    /// <summary>A central-noise session of two rounds, run to completion.</summary>
    private async Task<SessionStatus> RunPrivateSessionAsync()
    {
        var created = await Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = PrivateConfig() }, cancellationToken: Ct);
        await Coordinator.Admin.StartSessionAsync(Request(created), cancellationToken: Ct);
        var final = await Sessions.WatchUntilFinishedAsync(Coordinator.Admin, created.SessionId, TimeSpan.FromSeconds(120));
        Assert.Equal(SessionState.Completed, final.State);
        return created;
    }

    private static SessionRequest Request(SessionStatus session) => new() { SessionId = session.SessionId };

    /// <summary>A connection with the append-only triggers off, as only a superuser or the tables' owner can have.</summary>
    private async Task<NpgsqlConnection> OpenWithoutTriggersAsync()
    {
        var connection = await _federation.Database.DataSource.OpenConnectionAsync(Ct);
        await ExecuteAsync(connection, "SET session_replication_role = replica");
        return connection;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var value in values)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = value });
        }
        await command.ExecuteNonQueryAsync(Ct);
    }
}
