using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using FedLearn.Training;
using Grpc.Core;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Npgsql;
using ModelSpec = FedLearn.Training.ModelSpec;

namespace FedLearn.IntegrationTests;

/// <summary>A coordinator, three participants over loopback gRPC and a real PostgreSQL, for three rounds.</summary>
public sealed class FederationEndToEndTests : IAsyncLifetime
{
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestCoordinator Coordinator => _federation.Coordinator;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 3, examplesEach: 300, idPrefix: "p");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task ThreeRounds_CommitOneCheckpointPerRound_LossFalls_ExportPredictsLikeInternalModel()
    {
        var admin = Coordinator.Admin;
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 3, min: 3, deadlineSeconds: 30);
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(90));

        Assert.Equal(SessionState.Completed, final.State);
        Assert.Equal(3, final.CompletedRounds);

        // One checkpoint per committed round, each with the SHA-256 of the weights stored beside it.
        var checkpoints = await LoadCheckpointsAsync(created.SessionId);
        Assert.Equal([1, 2, 3], checkpoints.Select(c => c.Round));
        foreach (var checkpoint in checkpoints)
        {
            Assert.Equal(WeightHash.Sha256Hex(checkpoint.Weights), checkpoint.Sha256);
        }
        Assert.Equal(3, checkpoints.Select(c => c.Sha256).Distinct().Count());

        // Every round aggregated all three updates, and the held-out loss fell from round 1 to round 3.
        var rounds = new List<RoundDetails>();
        for (var round = 1; round <= 3; round++)
        {
            rounds.Add(await admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = round }, cancellationToken: Ct));
        }
        Assert.All(rounds, r => Assert.Equal(("committed", 3, 900L), (r.Outcome, r.ParticipantsAggregated, r.ExamplesAggregated)));
        Assert.Equal(checkpoints.Select(c => c.Sha256), rounds.Select(r => r.CheckpointSha256));
        Assert.True(rounds[2].TestLoss < rounds[0].TestLoss, $"test loss went from {rounds[0].TestLoss} to {rounds[2].TestLoss}");
        Assert.True(rounds[2].TestAccuracy > 0.8, $"test accuracy after 3 rounds: {rounds[2].TestAccuracy}");

        // The exported ONNX model, run by ONNX Runtime, predicts exactly what the coordinator's internal model predicts.
        var onnx = await ExportAsync(created.SessionId);
        var testSet = CsvDatasetLoader.Load(_federation.TestSet);
        var spec = ModelSpec.Parse("mlp", SyntheticData.Features, SyntheticData.Classes, [16], "relu");
        using var evaluator = new ModelEvaluator(spec);
        var internalLogits = evaluator.PredictLogits(checkpoints[^1].Weights, testSet.Features, testSet.Count);
        using var session = new InferenceSession(onnx);
        var input = new DenseTensor<float>(testSet.Features, [testSet.Count, testSet.FeatureSize]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor(OnnxModelBuilder.ExportInput, input)]);
        var exportedLogits = results.First(r => r.Name == OnnxModelBuilder.LogitsOutput).AsEnumerable<float>().ToArray();
        Assert.Equal(internalLogits, exportedLogits);

        // The file names where it came from, and says plainly that there is no privacy guarantee behind it.
        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(checkpoints[^1].Sha256, metadata["fedlearn.weights_sha256"]);
        Assert.Equal((created.SessionId, "3"), (metadata["fedlearn.session_id"], metadata["fedlearn.round"]));
        Assert.StartsWith("none", metadata["fedlearn.privacy"], StringComparison.Ordinal);

        // Had the session a ledger, a checkpoint without its entry must not leave: simulate one whose entries are missing.
        await using (var command = _federation.Database.DataSource.CreateCommand(
            "INSERT INTO ledger_headers (session_id, created_at, epsilon_budget, delta, accountant, public_key) VALUES ($1, now(), 1, 1e-5, 'rdp', 'k')"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = created.SessionId });
            await command.ExecuteNonQueryAsync(Ct);
        }
        var refused = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(created.SessionId));
        Assert.Equal(StatusCode.FailedPrecondition, refused.StatusCode);
        Assert.Contains("no matching privacy-ledger entry", refused.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExportModel_BeforeAnyRoundCommitted_IsNotFound()
    {
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 3, min: 3, deadlineSeconds: 30);
        var created = await Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => ExportAsync(created.SessionId));

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
        Assert.Contains("no committed round", error.Status.Detail, StringComparison.Ordinal);
    }

    private Task<byte[]> ExportAsync(string sessionId) => Sessions.ExportModelAsync(Coordinator.Admin, sessionId, Ct);

    private async Task<List<Checkpoint>> LoadCheckpointsAsync(string sessionId)
    {
        await using var command = _federation.Database.DataSource.CreateCommand(
            "SELECT round, weights, sha256 FROM checkpoints WHERE session_id = $1 ORDER BY round");
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var checkpoints = new List<Checkpoint>();
        while (await reader.ReadAsync(Ct))
        {
            checkpoints.Add(new Checkpoint(reader.GetInt32(0), FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(1)), reader.GetString(2)));
        }
        return checkpoints;
    }
}
