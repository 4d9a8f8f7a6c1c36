using FedLearn.Coordinator.Hosting;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Grpc.Core;

namespace FedLearn.IntegrationTests;

/// <summary>Malformed, unauthorised and nonsensical requests over real gRPC get a clear error and change nothing.</summary>
public sealed class BadInputTests : CoordinatorTestBase
{
    [Fact]
    public async Task CreateSession_NonsensicalConfig_InvalidArgumentNamingEachProblem()
    {
        var config = Sessions.Config(20, 3, rounds: 0, perRound: 2, min: 5, deadlineSeconds: 10);
        config.Model.Kind = "transformer";
        config.Training.LearningRate = double.NaN;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        foreach (var field in new[] { "model", "rounds", "min_participants", "learning_rate" })
        {
            Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
        }
        var sessions = await Coordinator.Admin.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: Ct);
        Assert.Empty(sessions.Sessions);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("../../etc/passwd")]
    [InlineData("another-participant")]
    public async Task Register_ParticipantIdNotTheCertificates_PermissionDenied(string id)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Participants.RegisterAsync(new RegisterRequest { ParticipantId = id, NumExamples = 10 }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
        Assert.Contains("stranger", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Register_NoParticipantId_RegistersTheCertificatesName()
    {
        var reply = await Coordinator.Participants.RegisterAsync(new RegisterRequest { NumExamples = 10 }, cancellationToken: Ct);

        Assert.Equal("stranger", reply.ParticipantId);
    }

    [Fact]
    public async Task DownloadModel_ParticipantNotSelected_PermissionDenied()
    {
        using var call = Coordinator.Participants.DownloadModel(
            new DownloadModelRequest { ParticipantId = "stranger", SessionId = "s-000000000000", Round = 1 }, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(Ct));

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task UploadUpdate_NoOpenRound_FailedPreconditionBeforeReadingData()
    {
        using var call = Coordinator.Participants.UploadUpdate(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new UpdateChunk
        {
            Header = new UpdateHeader { ParticipantId = "stranger", SessionId = "s-000000000000", Round = 1, Attempt = 1, NumExamples = 5, ParameterCount = 1L << 27 },
        }, Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
    }

    [Fact]
    public async Task UploadUpdate_FirstMessageNotHeader_InvalidArgument()
    {
        using var call = Coordinator.Participants.UploadUpdate(cancellationToken: Ct);
        await call.RequestStream.WriteAsync(new UpdateChunk { Chunk = TensorChunking.Split([1f, 2f]).Single() }, Ct);
        await call.RequestStream.CompleteAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => call.ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("header", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionCommands_UnknownSession_NotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = "s-ffffffffffff" }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }

    [Fact]
    public async Task StartSession_AfterStop_FailedPrecondition()
    {
        var created = await Coordinator.Admin.CreateSessionAsync(
            new CreateSessionRequest { Config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 5) }, cancellationToken: Ct);
        await Coordinator.Admin.StopSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.FailedPrecondition, error.StatusCode);
        var status = await Coordinator.Admin.GetSessionStatusAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        Assert.Equal(SessionState.Stopped, status.State);
    }

    [Theory]
    [InlineData(4 * 1024 * 1024, "")]
    [InlineData(10, "\0")]
    public async Task Register_OversizedOrControlCharacterClientVersion_InvalidArgumentAndNothingStored(int length, string suffix)
    {
        var request = new RegisterRequest { ParticipantId = "stranger", NumExamples = 10, ClientVersion = new string('v', length) + suffix };

        var error = await Assert.ThrowsAsync<RpcException>(() => Coordinator.Participants.RegisterAsync(request, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("client_version", error.Status.Detail, StringComparison.Ordinal);
        await using var count = Database.DataSource.CreateCommand("SELECT count(*) FROM participants");
        Assert.Equal(0L, await count.ExecuteScalarAsync(Ct));
    }

    [Fact]
    public async Task CreateSession_OversizedName_InvalidArgumentAndNoSession()
    {
        var config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 5);
        config.Name = new string('n', 4 * 1024 * 1024);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("name", error.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Coordinator.Admin.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: Ct)).Sessions);
    }

    [Fact]
    public async Task CreateSession_SoftmaxWithoutActivation_AcceptedAsRelu()
    {
        // Once accepted and refused by every participant; now both sides parse an empty activation the same way.
        var config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 5);
        config.Model = new ModelSpec { Kind = "softmax", InputSize = 20, NumClasses = 3 };

        var created = await Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);

        Assert.Equal(SessionState.Created, created.State);
        var spec = FedLearn.Training.ModelSpec.Parse(created.Config.Model.Kind, 20, 3, created.Config.Model.HiddenSizes, created.Config.Model.Activation);
        Assert.Equal(20 * 3 + 3, spec.ParameterCount);
    }

    [Theory]
    [InlineData("/fedlearn.v1.ParticipantService/Register")]
    [InlineData("/fedlearn.v1.ParticipantService/ReportMetrics")]
    [InlineData("/fedlearn.v1.AdminService/CreateSession")]
    [InlineData("/fedlearn.v1.AdminService/GetSessionStatus")]
    public async Task UnaryCall_GarbageBytes_InvalidArgumentWithoutStackTrace(string method)
    {
        // What a client written from scratch may send: bytes that are not a protobuf message at all (a field tag whose
        // length runs past the end).
        byte[] garbage = [0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02, 0xde, 0xad, 0xbe, 0xef];

        var error = await Assert.ThrowsAsync<RpcException>(() => RawCalls.UnaryAsync(Coordinator.Channel, method, garbage, Ct));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.DoesNotContain(" at ", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CoordinatorStart_DatabaseDown_FailsWithClearError()
    {
        var unreachable = $"Host=127.0.0.1;Port={FreePort.Next()};Database=nothing;Username=nobody;Password=x;Timeout=1";

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await using var coordinator = await TestCoordinator.StartAsync(unreachable, testData: null);
        });

        Assert.Contains("Cannot reach PostgreSQL", error.Message, StringComparison.Ordinal);
    }
}
