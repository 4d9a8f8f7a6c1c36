using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.Protos.V1;
using FedLearn.Training;
using FedLearn.Training.Onnx.Proto;
using Google.Protobuf;
using Grpc.Core;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>
/// A private session run to exhaustion over the real stack, then audited with the real CLI: the budget is never crossed,
/// the ledger verifies from the database and from an export, the database refuses to change it, and tampering is named.
/// The session declares both guarantee levels, and the ledger keeps them apart.
/// </summary>
public sealed class PrivacyLedgerTests : IAsyncLifetime
{
    private const double SamplingRate = 0.5;
    private const double NoiseMultiplier = 1.0;
    private const double Delta = 1e-5;
    private const int RoundsThatFit = 3;
    private const double ExampleBudget = 6.0;

    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string> Metadata(byte[] model) =>
        ModelProto.Parser.ParseFrom(model).MetadataProps.ToDictionary(p => p.Key, p => p.Value);

    private TestCoordinator Coordinator => _federation.Coordinator;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 12, examplesEach: 100, idPrefix: "dp");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task PrivateSession_RunToExhaustion_StopsBeforeBudget_LedgerVerifies_TamperingIsNamed()
    {
        // A budget that three rounds fit and a fourth would cross, under the enforced (RDP) accountant. Without amplification
        // by sampling (q = 1 per step, accounting version 4): the coordinator publishes the cohort sizes (review-10 S7).
        var rdp = Accountants.Create(AccountantKind.Rdp);
        double EpsilonAfter(int rounds) => rdp.GetEpsilon([new SubsampledGaussianStep(1.0, NoiseMultiplier, rounds)], Delta);
        var budget = (EpsilonAfter(RoundsThatFit) + EpsilonAfter(RoundsThatFit + 1)) / 2;
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 10, perRound: 12, min: 2, deadlineSeconds: 20);
        config.Privacy = new PrivacyConfig
        {
            EpsilonBudget = budget, Delta = Delta, Accountant = "rdp", NoiseMultiplier = NoiseMultiplier, ClipNorm = 1.0, SamplingRate = SamplingRate, CentralNoise = true,
        };
        config.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = ExampleBudget, Delta = Delta, ClipNorm = 1.0, ExpectedBatchSize = 20 };
        var created = await Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        Assert.Equal(NoiseMultiplier, created.Privacy.Parameters.NoiseMultiplier);
        Assert.True(created.Privacy.EpsilonPlanned > budget);
        await Coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(Coordinator.Admin, created.SessionId, TimeSpan.FromSeconds(120));

        // Stopped before the budget was crossed, never after.
        Assert.Equal(SessionState.BudgetExhausted, final.State);
        Assert.Equal(RoundsThatFit, final.CompletedRounds);
        Assert.Contains("above the budget", final.Message, StringComparison.Ordinal);
        Assert.True(final.Privacy.EpsilonSpent <= budget);
        var ledger = LedgerJson.Deserialize((await Coordinator.Admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        Assert.Equal([1, 2, 3], ledger.Entries.Select(e => e.Round));
        Assert.Equal(LedgerAccountingVersions.Current, ledger.Header.AccountingVersion);
        Assert.All(ledger.Entries, e => Assert.Equal(SamplingRate, e.SamplingRate));
        Assert.Equal(ledger.Checkpoints.Select(c => c.Sha256), ledger.Entries.Select(e => e.ModelSha256));
        Assert.Equal(EpsilonAfter(RoundsThatFit), ledger.Entries[^1].EpsilonRdp!.Value, 12);
        // Both levels, each labelled: the participant level recomputable from the entries, the example level reported.
        Assert.Equal(budget, ledger.Header.EpsilonBudget);
        Assert.Equal(ExampleBudget, ledger.Header.ExampleLevel!.EpsilonBudget);
        Assert.All(ledger.Entries, e => Assert.Equal(LedgerMechanisms.CentralGaussian, e.Mechanism));
        Assert.All(ledger.Entries, e => Assert.InRange(e.ExampleEpsilonMax!.Value, double.Epsilon, ExampleBudget));
        Assert.Equal(ledger.Entries.Max(e => e.ExampleEpsilonMax), final.ExampleEpsilonReported);
        Assert.True(ledger.Entries[^1].EpsilonPld <= ledger.Entries[^1].EpsilonRdp);

        // The auditor's CLI verifies it through the coordinator and from an exported file alone, with the pinned key.
        var address = Coordinator.Address.ToString();
        var key = created.LedgerPublicKey;
        var fromCoordinator = await BuiltTool.RunCliAsync("ledger", "verify", created.SessionId, "--coordinator", address, "--public-key", key);
        Assert.True(fromCoordinator.ExitCode == 0, fromCoordinator.Output);
        var export = Path.Combine(_federation.DataDirectory, "ledger.json");
        var exported = await BuiltTool.RunCliAsync("ledger", "export", created.SessionId, "--coordinator", address, "--out", export);
        Assert.True(exported.ExitCode == 0, exported.Output);
        var fromFile = await BuiltTool.RunCliAsync("ledger", "verify", "--file", export, "--public-key", key);
        Assert.True(fromFile.ExitCode == 0, fromFile.Output);

        // The exported model names its ledger entry; the independent Python auditor ties the file to it, and notices an
        // edited weight.
        var modelFile = Path.Combine(_federation.DataDirectory, "model.onnx");
        var exportedModel = await BuiltTool.RunCliAsync("model", "export", "--session", created.SessionId, "--out", modelFile, "--coordinator", address);
        Assert.True(exportedModel.ExitCode == 0, exportedModel.Output);
        Assert.Contains($"Privacy ledger entry 3 ({ledger.Entries[^1].EntryHash}) records this model; participant level: central_gaussian;", exportedModel.Output, StringComparison.Ordinal);
        Assert.Contains("example level: largest reported epsilon=", exportedModel.Output, StringComparison.Ordinal);
        Assert.Contains("no amplification by sampling (q = 1 per charged step: the cohort sizes are published)", exportedModel.Output, StringComparison.Ordinal);
        var model = await File.ReadAllBytesAsync(modelFile, Ct);
        Assert.Equal(ledger.Entries[^1].EntryHash, Metadata(model)["fedlearn.ledger.entry_hash"]);
        var audited = await BuiltTool.RunPythonScriptAsync("notebooks/ledger_audit.py", export, "--public-key", key, "--model", modelFile);
        Assert.True(audited.ExitCode == 0, audited.Output);
        var edited = ModelProto.Parser.ParseFrom(model);
        var bytes = edited.Graph.Initializer[0].RawData.ToByteArray();
        bytes[0] ^= 1;
        edited.Graph.Initializer[0].RawData = ByteString.CopyFrom(bytes);
        await File.WriteAllBytesAsync(modelFile, edited.ToByteArray(), Ct);
        var caught = await BuiltTool.RunPythonScriptAsync("notebooks/ledger_audit.py", export, "--public-key", key, "--model", modelFile);
        Assert.Equal(6, caught.ExitCode);
        Assert.Contains("[model_sha_mismatch]", caught.Output, StringComparison.Ordinal);

        // The database itself refuses to change the ledger.
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            ExecuteAsync("UPDATE ledger_entries SET epsilon_rdp = 0 WHERE session_id = $1", created.SessionId));
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
        await Assert.ThrowsAsync<PostgresException>(() => ExecuteAsync("DELETE FROM ledger_entries WHERE session_id = $1", created.SessionId));

        // Someone with the power to switch the triggers off edits one entry and deletes another: verify names both.
        await ExecuteAsync("""
            SET session_replication_role = replica;
            UPDATE ledger_entries SET epsilon_rdp = epsilon_rdp / 2 WHERE session_id = $1 AND sequence = 2;
            DELETE FROM ledger_entries WHERE session_id = $1 AND sequence = 3;
            """, created.SessionId);
        var tampered = await BuiltTool.RunCliAsync("ledger", "verify", created.SessionId, "--coordinator", address, "--public-key", key);
        Assert.Equal(6, tampered.ExitCode);
        Assert.Contains(LedgerDiscrepancyKinds.HashMismatch, tampered.Output, StringComparison.Ordinal);
        Assert.Contains(LedgerDiscrepancyKinds.SignatureInvalid, tampered.Output, StringComparison.Ordinal);
        Assert.Contains("round 3", tampered.Output, StringComparison.Ordinal);

        // And a forged export (an entry re-sealed with another key) fails offline.
        var forger = LedgerSigner.Create();
        var last = ledger.Entries[^1];
        var forged = ledger with { Entries = [.. ledger.Entries.SkipLast(1), forger.Seal(last with { EpsilonRdp = 0.01, EpsilonPld = 0.01 }, last.PreviousHash)] };
        await File.WriteAllTextAsync(export, LedgerJson.Serialize(forged), Ct);
        var forgedResult = await BuiltTool.RunCliAsync("ledger", "verify", "--file", export, "--public-key", key);
        Assert.Equal(6, forgedResult.ExitCode);
        Assert.Contains(LedgerDiscrepancyKinds.SignatureInvalid, forgedResult.Output, StringComparison.Ordinal);
    }

    private async Task ExecuteAsync(string sql, string sessionId)
    {
        await using var connection = await _federation.Database.DataSource.OpenConnectionAsync(Ct);
        await using var batch = new NpgsqlBatch(connection);
        foreach (var statement in sql.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var command = new NpgsqlBatchCommand(statement);
            if (statement.Contains("$1", StringComparison.Ordinal))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
            }
            batch.BatchCommands.Add(command);
        }
        await batch.ExecuteNonQueryAsync(Ct);
    }
}
