using FedLearn.Coordinator.Security;
using FedLearn.Identity;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>
/// Enrollment, renewal and revocation the way an operator and a data owner do them (the real `fedlearn` and
/// `fedlearn-participant` programs against the real coordinator over TLS 1.3), the tokens' single use and expiry,
/// and the audit log that records it all.
/// </summary>
public sealed class EnrollmentTests : CoordinatorTestBase
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fedlearn-enroll-").FullName;

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task DataOwner_EnrollsRenewsAndIsRevoked_ThroughTheTools()
    {
        var address = Coordinator.Address.ToString();
        var credentials = Path.Combine(_directory, "hospital-a");

        var invite = await BuiltTool.RunCliAsync("participant", "invite", "hospital-a", "--coordinator", address);
        Assert.True(invite.ExitCode == 0, invite.Output);
        var token = invite.Output.Split('\n')[0].Trim();
        var enroll = await BuiltTool.RunParticipantToolAsync("enroll", "--coordinator", address, "--token", token, "--credentials", credentials);
        Assert.True(enroll.ExitCode == 0, enroll.Output);

        var enrolled = ClientCredentials.Load(credentials);
        Assert.Equal(("hospital-a", Roles.Participant), (enrolled.Identity.Name, enrolled.Identity.Role));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(credentials, ClientCredentials.KeyFile)));
        }
        Assert.InRange(enrolled.Identity.NotAfter, DateTimeOffset.UtcNow.AddDays(6), DateTimeOffset.UtcNow.AddDays(8));
        Assert.Equal("hospital-a", (await RegisterAsync(enrolled)).ParticipantId);

        var renew = await BuiltTool.RunParticipantToolAsync("renew", "--coordinator", address, "--credentials", credentials);
        Assert.True(renew.ExitCode == 0, renew.Output);
        var renewed = ClientCredentials.Load(credentials);
        Assert.NotEqual(enrolled.Identity.SerialNumber, renewed.Identity.SerialNumber);
        Assert.Equal("hospital-a", (await RegisterAsync(renewed)).ParticipantId);

        var revoke = await BuiltTool.RunCliAsync("participant", "revoke", "hospital-a", "--coordinator", address);
        Assert.True(revoke.ExitCode == 0, revoke.Output);
        var refused = await Assert.ThrowsAsync<RpcException>(() => RegisterAsync(renewed));
        var refusedOld = await Assert.ThrowsAsync<RpcException>(() => RegisterAsync(enrolled));
        var renewAfterRevoke = await BuiltTool.RunParticipantToolAsync("renew", "--coordinator", address, "--credentials", credentials);

        Assert.Equal(StatusCode.Unauthenticated, refused.StatusCode);
        Assert.Contains("revoked", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, refusedOld.StatusCode);
        Assert.NotEqual(0, renewAfterRevoke.ExitCode);
        var list = await BuiltTool.RunCliAsync("participant", "list", "--coordinator", address);
        Assert.Matches(@"hospital-a\s+participant\s+revoked", list.Output);
    }

    [Fact]
    public async Task Enroll_TokenUsedTwice_SecondIsUnauthenticated()
    {
        var invitation = await Coordinator.Identity.CreateInvitationAsync(
            new CreateInvitationRequest { Name = "hospital-b", Role = Roles.Participant }, cancellationToken: Ct);

        await EnrollmentClient.EnrollAsync(Coordinator.Address, invitation.Token, Path.Combine(_directory, "first"), Roles.Participant, Ct);
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            EnrollmentClient.EnrollAsync(Coordinator.Address, invitation.Token, Path.Combine(_directory, "second"), Roles.Participant, Ct));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("already been used", error.Status.Detail, StringComparison.Ordinal);
        Assert.False(ClientCredentials.Exist(Path.Combine(_directory, "second")));
    }

    [Fact]
    public async Task Enroll_ExpiredToken_Unauthenticated()
    {
        var token = EnrollmentToken.Create(Coordinator.Ca.Fingerprint);
        var now = DateTimeOffset.UtcNow;
        await Coordinator.Services.GetRequiredService<IdentityRepository>()
            .CreateInvitationAsync("hospital-c", Roles.Participant, token.SecretHash(), now.AddHours(-2), now.AddHours(-1), "admin", Ct);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            EnrollmentClient.EnrollAsync(Coordinator.Address, token.ToString(), Path.Combine(_directory, "late"), Roles.Participant, Ct));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        Assert.Contains("expired", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enroll_TokenOfAnotherFederation_NothingSentToTheServer()
    {
        using var otherCa = CertificateAuthority.Create("other", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var token = EnrollmentToken.Create(otherCa.Fingerprint).ToString();

        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            EnrollmentClient.EnrollAsync(Coordinator.Address, token, Path.Combine(_directory, "misdirected"), Roles.Participant, Ct));

        Assert.Contains("nothing was sent", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Revoke_ParticipantWithOpenWorkStream_StreamEndsUnauthenticated()
    {
        var invitation = await Coordinator.Identity.CreateInvitationAsync(
            new CreateInvitationRequest { Name = "hospital-d", Role = Roles.Participant }, cancellationToken: Ct);
        var credentials = await EnrollmentClient.EnrollAsync(Coordinator.Address, invitation.Token, Path.Combine(_directory, "d"), Roles.Participant, Ct);
        using var channel = Coordinator.OpenChannel(credentials);
        var client = new ParticipantService.ParticipantServiceClient(channel);
        await client.RegisterAsync(new RegisterRequest { NumExamples = 10 }, cancellationToken: Ct);
        using var work = client.ReceiveWork(new ReceiveWorkRequest(), cancellationToken: Ct);
        Assert.True(await work.ResponseStream.MoveNext(Ct)); // a heartbeat: the stream is open

        await Coordinator.Identity.RevokeIdentityAsync(new RevokeIdentityRequest { Name = "hospital-d" }, cancellationToken: Ct);
        var error = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            while (await work.ResponseStream.MoveNext(Ct))
            {
                // Heartbeats already under way may still arrive; the next check ends the stream.
            }
        });

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
    }

    [Fact]
    public async Task AuditLog_RecordsOperatorActions_VerifiesAndRefusesChanges()
    {
        var session = await Coordinator.Admin.CreateSessionAsync(
            new CreateSessionRequest { Config = Sessions.Config(20, 3, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 10) }, cancellationToken: Ct);
        await Coordinator.Admin.StopSessionAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: Ct);
        await Coordinator.Identity.CreateInvitationAsync(new CreateInvitationRequest { Name = "auditor-1", Role = Roles.Auditor }, cancellationToken: Ct);
        var address = Coordinator.Address.ToString();

        var log = await Coordinator.Identity.GetAuditLogAsync(new GetAuditLogRequest(), cancellationToken: Ct);
        var verify = await BuiltTool.RunCliAsync("audit-log", "verify", "--coordinator", address);
        var auditor = Coordinator.IssueCredentials("auditor-2", Roles.Auditor).Directory;
        var asAuditor = await BuiltTool.RunCliAsync("audit-log", "show", "--coordinator", address, "--credentials", auditor);
        var asEngineer = await BuiltTool.RunCliAsync("audit-log", "show", "--coordinator", address,
            "--credentials", Coordinator.IssueCredentials("engineer-1", Roles.Engineer).Directory);

        Assert.Equal(["session.create", "session.stop", "identity.invite"], log.Entries.Select(e => e.Action));
        Assert.All(log.Entries, e => Assert.Equal(("admin", Roles.Admin), (e.Actor, e.ActorRole)));
        Assert.Equal(session.SessionId, log.Entries[0].Target);
        Assert.True(verify.ExitCode == 0, verify.Output);
        Assert.Contains("session.stop " + session.SessionId, asAuditor.Output, StringComparison.Ordinal);
        Assert.Equal(7, asEngineer.ExitCode);
        await using var tamper = Database.DataSource.CreateCommand("UPDATE audit_log SET actor = 'someone-else' WHERE sequence = 2");
        var refused = await Assert.ThrowsAsync<PostgresException>(() => tamper.ExecuteNonQueryAsync(Ct));
        Assert.Contains("append-only", refused.MessageText, StringComparison.Ordinal);
    }

    private async Task<RegisterReply> RegisterAsync(ClientCredentials credentials)
    {
        using var channel = Coordinator.OpenChannel(credentials);
        return await new ParticipantService.ParticipantServiceClient(channel)
            .RegisterAsync(new RegisterRequest { NumExamples = 10 }, cancellationToken: Ct);
    }
}
