using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using FedLearn.Training;
using FedLearn.Training.Onnx.Proto;
using Google.Protobuf;
using Grpc.Core;
using TrainingSpec = FedLearn.Training.ModelSpec;

namespace FedLearn.IntegrationTests;

/// <summary>Sessions created from an ONNX model over the real admin API: its initializers are the initial checkpoint.</summary>
public sealed class OnnxImportTests : CoordinatorTestBase
{
    private static readonly TrainingSpec Spec = TrainingSpec.Parse("mlp", 20, 3, [8], "tanh");

    [Fact]
    public async Task CreateSession_OnnxModelWithoutModelSpec_InitialCheckpointIsTheImportedWeights()
    {
        var weights = ModelInitializer.Initialize(Spec, seed: 42);
        weights[^1] = 0.25f; // a non-zero bias, which no FedLearn initialisation would produce
        var config = OnnxConfig(OnnxModelBuilder.ExportModel(Spec, weights));

        var status = await Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);

        Assert.Equal("mlp", status.Config.Model.Kind);
        Assert.Equal(20, status.Config.Model.InputSize);
        Assert.Equal(3, status.Config.Model.NumClasses);
        Assert.Equal([8], status.Config.Model.HiddenSizes);
        Assert.Equal("tanh", status.Config.Model.Activation);
        await using var command = Database.DataSource.CreateCommand(
            "SELECT initial_weights, initial_sha256, definition::text FROM sessions WHERE session_id = $1");
        command.Parameters.AddWithValue(status.SessionId);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(FloatBytes.ToBytes(weights), (byte[])reader[0]);
        Assert.Equal(WeightHash.Sha256Hex(weights), reader.GetString(1));
        var definition = reader.GetString(2);
        Assert.DoesNotContain(Convert.ToBase64String(config.InitialModelOnnx.ToByteArray())[..64], definition, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSession_OnnxModelWithUnsupportedOperator_InvalidArgumentNamingIt()
    {
        var model = ModelProto.Parser.ParseFrom(OnnxModelBuilder.ExportModel(Spec, ModelInitializer.Initialize(Spec, seed: 1)));
        var first = model.Graph.Node.First(n => n.OpType == "Gemm");
        (first.OpType, first.Name) = ("Conv", "conv1");
        var config = OnnxConfig(model.ToByteArray());

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("unsupported operators: Conv", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Conv 'conv1'", error.Status.Detail, StringComparison.Ordinal);
        var sessions = await Coordinator.Admin.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: Ct);
        Assert.Empty(sessions.Sessions);
    }

    [Fact]
    public async Task CreateSession_ModelSpecDisagreesWithOnnx_InvalidArgument()
    {
        var config = OnnxConfig(OnnxModelBuilder.ExportModel(Spec, ModelInitializer.Initialize(Spec, seed: 1)));
        config.Model = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 10, hidden: 16).Model;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("does not match initial_model_onnx", error.Status.Detail, StringComparison.Ordinal);
    }

    private static SessionConfig OnnxConfig(byte[] onnx)
    {
        var config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 10);
        config.Model = null;
        config.InitialModelOnnx = ByteString.CopyFrom(onnx);
        return config;
    }
}
