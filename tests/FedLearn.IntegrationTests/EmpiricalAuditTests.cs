using System.Text.Json;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>
/// The participant-level empirical audit over the real stack (docs/audit.md): `fedlearn audit run` enrolls canary
/// participants that speak the participant API over mutual TLS beside real in-process participants, the coordinator
/// measures them against its checkpoints and stores a signed report that `fedlearn audit show` verifies against the
/// ledger. An honest session passes; a coordinator that adds a quarter of the noise its ledger records is flagged.
/// Small on purpose: a 1,539-parameter MLP, 3 rounds, 20 canaries.
/// </summary>
public sealed class EmpiricalAuditTests
{
    private const int Canaries = 20;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task HonestSession_AuditPasses_ReportVerifiesAgainstTheLedger_AndCannotBeReplaced()
    {
        await using var federation = await TestFederation.StartAsync(participants: 4, examplesEach: 60, idPrefix: "auh");
        var (exitCode, output, report, sessionId) = await RunAuditAsync(federation, samplingRate: 0.5);
        Assert.True(exitCode == 0, output);
        Assert.Equal(AuditReportDocument.Pass, report.Verdict);
        Assert.Equal(Canaries, report.Canaries);
        Assert.Equal(Canaries, report.CanaryIds.Count);
        Assert.Equal(1.0, report.CoordinatorTestNoiseScale);
        Assert.All(report.ThreatModels, t => Assert.True(t.EpsilonEstimate < report.EpsilonBound, $"{t.Name}: ε_est {t.EpsilonEstimate} vs ε_bound {report.EpsilonBound}"));
        Assert.All(report.ThreatModels, t => Assert.Equal(Canaries, t.UnseenScores.Count));

        // The auditor's copy: signature, key and ledger link check out, and the plot is a PNG.
        var coordinator = federation.Coordinator;
        var plot = Path.Combine(federation.DataDirectory, "audit.png");
        var shown = await BuiltTool.RunCliAsync("audit", "show", sessionId, "--coordinator", coordinator.Address.ToString(), "--plot", plot);
        Assert.True(shown.ExitCode == 0, shown.Output);
        TestContext.Current.TestOutputHelper?.WriteLine(shown.Output);
        Assert.Contains("report verifies", shown.Output, StringComparison.Ordinal);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(plot, Ct))[..4]);

        // The figures are recomputable by anyone from the released models and the published seed.
        var models = new List<float[]>();
        var sessions = coordinator.Services.GetService(typeof(FedLearn.Coordinator.Grains.Persistence.SessionRepository))
            as FedLearn.Coordinator.Grains.Persistence.SessionRepository;
        for (var round = 0; round <= report.Rounds; round++)
        {
            models.Add((await sessions!.FindCheckpointAsync(sessionId, round, Ct))!.Weights);
        }
        var recomputed = CanaryAudit.Measure(Convert.FromHexString(report.CanarySeed), report.Canaries, report.Unseen, models, report.Ledger.Delta,
            report.Confidence, report.EpsilonBound);
        Assert.Equal(report.ThreatModels.Select(t => t.EpsilonEstimate), recomputed.Select(t => t.EpsilonEstimate));
        await AuditorVerifiesOfflineAsync(federation, sessionId, report, models);

        // A report is never replaced: not through the API, not through the database.
        var again = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await new AuditService.AuditServiceClient(coordinator.Channel).RecordAuditAsync(
            new RecordAuditRequest { SessionId = sessionId, CanarySeed = ByteString.CopyFrom(new byte[32]), Canaries = 2 }, cancellationToken: Ct));
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, again.StatusCode);
        await using var connection = await federation.Database.DataSource.OpenConnectionAsync(Ct);
        await using var update = new NpgsqlCommand("UPDATE audit_reports SET report_json = '{}' WHERE session_id = $1", connection);
        update.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        var refused = await Assert.ThrowsAsync<PostgresException>(() => update.ExecuteNonQueryAsync(Ct));
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);

        // The canaries' certificates were revoked when the audit ended.
        var identities = await coordinator.Identity.ListIdentitiesAsync(new ListIdentitiesRequest(), cancellationToken: Ct);
        Assert.All(identities.Identities.Where(i => i.Name.StartsWith("canary-", StringComparison.Ordinal)), i => Assert.Equal("revoked", i.Status));
    }

    /// <summary>
    /// The auditor's offline check (docs/audit.md, "Recomputing"): the exported report, ledger and models, with no coordinator.
    /// The honest export verifies and is recomputed; an edited report, a missing round and doctored figures are each caught.
    /// </summary>
    private static async Task AuditorVerifiesOfflineAsync(TestFederation federation, string sessionId, AuditReportDocument report, List<float[]> models)
    {
        var address = federation.Coordinator.Address.ToString();
        var directory = Directory.CreateTempSubdirectory("fedlearn-audit-verify-").FullName;
        var reportFile = Path.Combine(directory, "audit.json");
        var ledgerFile = Path.Combine(directory, "ledger.json");
        Assert.Equal(0, (await BuiltTool.RunCliAsync("audit", "export", sessionId, "--out", reportFile, "--coordinator", address)).ExitCode);
        Assert.Equal(0, (await BuiltTool.RunCliAsync("ledger", "export", sessionId, "--out", ledgerFile, "--coordinator", address)).ExitCode);
        var modelFiles = new List<string>();
        for (var round = report.Rounds; round >= 0; round--)
        {
            var file = Path.Combine(directory, $"round-{round}.onnx");
            var which = round == 0 ? new[] { "--initial" } : ["--round", round.ToString(System.Globalization.CultureInfo.InvariantCulture)];
            var exported = await BuiltTool.RunCliAsync(["model", "export", "--session", sessionId, .. which, "--out", file, "--coordinator", address]);
            Assert.True(exported.ExitCode == 0, exported.Output);
            modelFiles.Add(file);
        }

        var verified = await BuiltTool.RunCliAsync(["audit", "verify", reportFile, "--ledger", ledgerFile, "--models", .. modelFiles]);
        Assert.True(verified.ExitCode == 0, verified.Output);
        Assert.Contains($"recomputed from the {report.Rounds + 1} released models", verified.Output, StringComparison.Ordinal);
        // The commitment and the initial model are anchored in the ledger header, so both are checked without the coordinator.
        var ledger = FedLearn.Ledger.LedgerJson.Deserialize(await File.ReadAllTextAsync(ledgerFile, Ct));
        Assert.Equal(AuditReportDocument.FormatWithCommitment, report.Format);
        Assert.Equal(report.AuditCommitment, ledger.Header.AuditCommitment);
        Assert.Equal(FedLearn.Training.WeightHash.Sha256Hex(models[0]), ledger.Header.InitialModelSha256);
        Assert.Contains($"commitment       {ledger.Header.AuditCommitment} anchored in the ledger header", verified.Output, StringComparison.Ordinal);
        Assert.Contains($"initial model sha256 {ledger.Header.InitialModelSha256}: the one the ledger header anchors", verified.Output, StringComparison.Ordinal);

        var missingRound = await BuiltTool.RunCliAsync(["audit", "verify", reportFile, "--ledger", ledgerFile, "--models", .. modelFiles[..^1]]);
        Assert.True(missingRound.ExitCode == 2, missingRound.Output);
        Assert.Contains("--initial", missingRound.Output, StringComparison.Ordinal);

        // One score edited in the exported report: the signature no longer covers it.
        var text = await File.ReadAllTextAsync(reportFile, Ct);
        var score = report.ThreatModels[0].CanaryScores[0].ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains(score, text, StringComparison.Ordinal);
        var edited = Path.Combine(directory, "edited.json");
        await File.WriteAllTextAsync(edited, text.Replace(score, "0.5", StringComparison.Ordinal), Ct);
        var tampered = await BuiltTool.RunCliAsync(["audit", "verify", edited, "--ledger", ledgerFile]);
        Assert.True(tampered.ExitCode == 6, tampered.Output);
        Assert.Contains("signature does not verify", tampered.Output, StringComparison.Ordinal);

        // Figures the models do not bear out (a report a dishonest signer could have written) fail the recomputation.
        Assert.Empty(AuditRecomputation.Problems(report, models));
        // Raised, not zeroed: an honest session's lower limit is often 0 already, and a doctoring that changes nothing proves nothing.
        var doctored = report with { ThreatModels = [report.ThreatModels[0] with { EpsilonLower = report.ThreatModels[0].EpsilonLower + 1 }, report.ThreatModels[1]] };
        Assert.Contains(AuditRecomputation.Problems(doctored, models), p => p.StartsWith(AuditReportDocument.FinalModel, StringComparison.Ordinal));
        Directory.Delete(directory, recursive: true);
    }

    [Fact]
    public async Task CoordinatorAddingLessNoiseThanItsLedgerRecords_IsFlagged_AndTheSwitchIsOnRecord()
    {
        await using var federation = await TestFederation.StartAsync(participants: 4, examplesEach: 60, idPrefix: "auc", testNoise: new TestOnlyNoise(0.25));
        // Every canary in every round (q = 1): the audit's strongest setting (docs/audit.md, "Power").
        var (exitCode, output, report, _) = await RunAuditAsync(federation, samplingRate: 1.0);
        Assert.True(exitCode == 6, output);
        TestContext.Current.TestOutputHelper?.WriteLine(output);
        Assert.Equal(AuditReportDocument.Flagged, report.Verdict);
        Assert.Equal(0.25, report.CoordinatorTestNoiseScale);
        Assert.Contains(report.ThreatModels, t => t.Flagged && t.EpsilonLower > report.EpsilonBound);
        var log = await federation.Coordinator.Identity.GetAuditLogAsync(new GetAuditLogRequest(), cancellationToken: Ct);
        Assert.Contains(log.Entries, e => e.Action == "test.noise_understated" && e.Details.StartsWith("noise_scale=0.25", StringComparison.Ordinal));
    }

    [Fact]
    public async Task RecordAudit_OnlyForTheCanariesCommittedToAtCreation_AndNeverForSecureAggregation()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var coordinator = await TestCoordinator.StartAsync(database.ConnectionString, null);
        var seed = AuditRandom.NewSeed();
        var commitment = ByteString.CopyFrom(AuditCommitment.Compute(seed, 4, 4, 0.95));
        async Task<string> EndedSessionAsync(ByteString auditCommitment)
        {
            var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 2, perRound: 2, min: 1, deadlineSeconds: 10);
            config.Privacy = new PrivacyConfig
            {
                EpsilonBudget = 10, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 0.5, CentralNoise = true,
                AuditCommitment = auditCommitment,
            };
            var id = (await coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct)).SessionId;
            await coordinator.Admin.StopSessionAsync(new SessionRequest { SessionId = id }, cancellationToken: Ct);
            return id;
        }
        async Task<Grpc.Core.RpcException> RecordAsync(string id, byte[] canarySeed) => await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await new AuditService.AuditServiceClient(coordinator.Channel).RecordAuditAsync(
                new RecordAuditRequest { SessionId = id, CanarySeed = ByteString.CopyFrom(canarySeed), Canaries = 4, Unseen = 4 }, cancellationToken: Ct));

        // A session that was never audited cannot be given a report after the fact.
        var unaudited = await RecordAsync(await EndedSessionAsync(ByteString.Empty), seed);
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, unaudited.StatusCode);
        Assert.Contains("audit_commitment", unaudited.Status.Detail, StringComparison.Ordinal);

        // Nobody without the committed seed can pre-empt the auditor's report.
        var committed = await EndedSessionAsync(commitment);
        var otherSeed = await RecordAsync(committed, AuditRandom.NewSeed());
        Assert.Equal(Grpc.Core.StatusCode.FailedPrecondition, otherSeed.StatusCode);
        Assert.Contains("do not match the audit commitment", otherSeed.Status.Detail, StringComparison.Ordinal);

        // The canaries' noise shares would count as honest in secure aggregation: an audited session uses central noise.
        var secure = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 2, perRound: 2, min: 1, deadlineSeconds: 10);
        secure.Privacy = new PrivacyConfig { EpsilonBudget = 10, Delta = 1e-5, NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 0.5, AuditCommitment = commitment };
        var refused = await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () =>
            await coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = secure }, cancellationToken: Ct));
        Assert.Equal(Grpc.Core.StatusCode.InvalidArgument, refused.StatusCode);
        Assert.Contains("audit_commitment needs central_noise", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TestOnlyNoiseSwitch_NoConfigurationTurnsItOn()
    {
        await using var database = await TestDatabase.CreateAsync();
        // The keys that turned the switch on before review-10 S4, in the Testing environment: they no longer do anything.
        await using var coordinator = await TestCoordinator.StartAsync(database.ConnectionString, null, settings: new Dictionary<string, string?>
        {
            ["Coordinator:TestOnly:NoiseScale"] = "0.25",
            ["Coordinator:TestOnly:AllowUnderstatedNoise"] = "true",
        });
        Assert.Same(TestOnlyNoise.Honest, coordinator.Services.GetRequiredService<TestOnlyNoise>());
    }

    /// <summary>`fedlearn audit run` on a 3-round central-noise session (σ = 1, C = 1) beside the federation's real participants.</summary>
    private static async Task<(int ExitCode, string Output, AuditReportDocument Report, string SessionId)> RunAuditAsync(TestFederation federation, double samplingRate)
    {
        var coordinator = federation.Coordinator;
        await Sessions.WaitForParticipantsAsync(coordinator.Admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 30, min: 1, deadlineSeconds: 30, hidden: 64, epochs: 1);
        config.Privacy = new PrivacyConfig
        {
            EpsilonBudget = 100, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = samplingRate, CentralNoise = true,
        };
        var file = Path.Combine(federation.DataDirectory, $"audit-session-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, JsonFormatter.Default.Format(config), Ct);
        var (exitCode, output) = await BuiltTool.RunCliAsync("audit", "run", "--config", file, "--canaries", Canaries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--coordinator", coordinator.Address.ToString(), "--plot", Path.Combine(federation.DataDirectory, "run.png"), "--json", "--timeout-minutes", "5");
        var line = output.Split('\n').FirstOrDefault(l => l.StartsWith('{')) ?? throw new InvalidOperationException($"audit run printed no JSON (exit {exitCode}): {output}");
        using var json = JsonDocument.Parse(line);
        var report = AuditReportDocument.Deserialize(json.RootElement.GetProperty("report").GetRawText());
        return (exitCode, output, report, json.RootElement.GetProperty("session_id").GetString()!);
    }
}
