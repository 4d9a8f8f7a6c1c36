using FedLearn.Identity;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.IntegrationTests;

/// <summary>
/// The probes of a stranger and of enrolled callers overstepping their role, over real gRPC on TLS 1.3 against the real
/// coordinator: each is refused with UNAUTHENTICATED or PERMISSION_DENIED and a reason, and changes nothing.
/// </summary>
public sealed class AccessControlTests : CoordinatorTestBase
{
    [Fact]
    public async Task AdminAndParticipantCalls_NoClientCertificate_Unauthenticated()
    {
        using var channel = Coordinator.OpenChannel(null);
        var admin = new AdminService.AdminServiceClient(channel);
        var participant = new ParticipantService.ParticipantServiceClient(channel);

        var create = await Assert.ThrowsAsync<RpcException>(() => admin.CreateSessionAsync(
            new CreateSessionRequest { Config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 10) }, cancellationToken: Ct).ResponseAsync);
        var register = await Assert.ThrowsAsync<RpcException>(() => participant.RegisterAsync(
            new RegisterRequest { ParticipantId = "sybil-1", NumExamples = 10 }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, create.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, register.StatusCode);
        Assert.Contains("client certificate", create.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await Coordinator.Admin.ListSessionsAsync(new ListSessionsRequest(), cancellationToken: Ct)).Sessions);
    }

    [Fact]
    public async Task AdminCall_CertificateFromAnotherCa_Unauthenticated()
    {
        using var foreignCa = CertificateAuthority.Create("elsewhere", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        using var foreign = foreignCa.IssueClientWithKey("admin", Roles.Admin, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var directory = Directory.CreateTempSubdirectory("fedlearn-foreign-").FullName;
        try
        {
            // Trusts the real coordinator, but presents a certificate the federation never issued.
            using var channel = Coordinator.OpenChannel(ClientCredentials.Save(directory, Coordinator.Ca.Certificate, foreign));

            var error = await Assert.ThrowsAsync<RpcException>(() => new AdminService.AdminServiceClient(channel)
                .ListSessionsAsync(new ListSessionsRequest(), cancellationToken: Ct).ResponseAsync);

            Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
            Assert.Contains("not issued by this federation's CA", error.Status.Detail, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task AdminCall_ExpiredCertificate_Unauthenticated()
    {
        using var channel = Coordinator.OpenChannel(Coordinator.IssueCredentials("late", Roles.Engineer, lifetime: TimeSpan.FromMinutes(-1)));

        var error = await Assert.ThrowsAsync<RpcException>(() => new AdminService.AdminServiceClient(channel)
            .ListSessionsAsync(new ListSessionsRequest(), cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("expired", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminCalls_ParticipantCertificate_PermissionDenied()
    {
        var session = await Coordinator.Admin.CreateSessionAsync(
            new CreateSessionRequest { Config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 10) }, cancellationToken: Ct);
        using var channel = Coordinator.OpenChannel(Coordinator.IssueCredentials("hospital-a", Roles.Participant));
        var admin = new AdminService.AdminServiceClient(channel);

        var start = await Assert.ThrowsAsync<RpcException>(() =>
            admin.StartSessionAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: Ct).ResponseAsync);
        using var export = admin.ExportModel(new ExportModelRequest { SessionId = session.SessionId }, cancellationToken: Ct);
        var exportError = await Assert.ThrowsAsync<RpcException>(() => export.ResponseStream.MoveNext(Ct));
        var invite = await Assert.ThrowsAsync<RpcException>(() => new IdentityService.IdentityServiceClient(channel)
            .CreateInvitationAsync(new CreateInvitationRequest { Name = "sybil", Role = Roles.Participant }, cancellationToken: Ct).ResponseAsync);

        Assert.All([start, exportError, invite], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains("role participant", start.Status.Detail, StringComparison.Ordinal);
        var status = await Coordinator.Admin.GetSessionStatusAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: Ct);
        Assert.Equal(SessionState.Created, status.State);
    }

    [Fact]
    public async Task OperatorCalls_AuditorCertificate_ReadsButCannotChange()
    {
        var session = await Coordinator.Admin.CreateSessionAsync(
            new CreateSessionRequest { Config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 10) }, cancellationToken: Ct);
        using var channel = Coordinator.OpenChannel(Coordinator.IssueCredentials("auditor-1", Roles.Auditor));
        var auditor = new AdminService.AdminServiceClient(channel);

        var status = await auditor.GetSessionStatusAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: Ct);
        var stop = await Assert.ThrowsAsync<RpcException>(() =>
            auditor.StopSessionAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(SessionState.Created, status.State);
        Assert.Equal(StatusCode.PermissionDenied, stop.StatusCode);
    }

    [Fact]
    public async Task ParticipantCalls_EngineerCertificate_PermissionDenied()
    {
        using var channel = Coordinator.OpenChannel(Coordinator.IssueCredentials("engineer-1", Roles.Engineer));

        var error = await Assert.ThrowsAsync<RpcException>(() => new ParticipantService.ParticipantServiceClient(channel)
            .RegisterAsync(new RegisterRequest { ParticipantId = "engineer-1", NumExamples = 10 }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task ParticipantCalls_NamingAnotherParticipant_PermissionDenied()
    {
        using var channel = Coordinator.OpenChannel(Coordinator.IssueCredentials("hospital-a", Roles.Participant));
        var client = new ParticipantService.ParticipantServiceClient(channel);

        var register = await Assert.ThrowsAsync<RpcException>(() =>
            client.RegisterAsync(new RegisterRequest { ParticipantId = "hospital-b", NumExamples = 10 }, cancellationToken: Ct).ResponseAsync);
        using var work = client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = "hospital-b" }, cancellationToken: Ct);
        var stream = await Assert.ThrowsAsync<RpcException>(() => work.ResponseStream.MoveNext(Ct));
        var metrics = await Assert.ThrowsAsync<RpcException>(() => client.ReportMetricsAsync(
            new LocalMetrics { ParticipantId = "hospital-b", SessionId = "s-000000000000", Round = 1 }, cancellationToken: Ct).ResponseAsync);
        using var upload = client.UploadUpdate(cancellationToken: Ct);
        await upload.RequestStream.WriteAsync(new UpdateChunk
        {
            Header = new UpdateHeader { ParticipantId = "hospital-b", SessionId = "s-000000000000", Round = 1, Attempt = 1, NumExamples = 5, ParameterCount = 3 },
        }, Ct);
        var uploadError = await Assert.ThrowsAsync<RpcException>(() => upload.ResponseAsync);

        Assert.All([register, stream, metrics, uploadError], e => Assert.Equal(StatusCode.PermissionDenied, e.StatusCode));
        Assert.Contains("hospital-a", register.Status.Detail, StringComparison.Ordinal);
    }
}
