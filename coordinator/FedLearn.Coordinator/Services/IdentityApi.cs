using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FedLearn.Coordinator.Security;
using FedLearn.Identity;
using FedLearn.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// The identity API: the federation CA, enrollment with single-use tokens, renewal, revocation, and the audit log.
/// Who may call what is decided by <see cref="AuthorizationInterceptor"/>; this class only does the work.
/// </summary>
internal sealed class IdentityApi(
    IServiceProvider services, IdentityRepository identities, AuditLogRepository auditLog, IOptions<CoordinatorOptions> options,
    TimeProvider time) : IdentityService.IdentityServiceBase
{
    private const int MaxCsrBytes = 4096;
    private const int DefaultInvitationHours = 72;
    private const int MaxInvitationHours = 720;

    public override Task<FederationCa> GetFederationCa(GetFederationCaRequest request, ServerCallContext context)
    {
        var ca = Federation().Ca;
        return Task.FromResult(new FederationCa { CertificatePem = ca.Certificate.ExportCertificatePem(), FingerprintSha256 = ca.Fingerprint });
    }

    public override async Task<Invitation> CreateInvitation(CreateInvitationRequest request, ServerCallContext context)
    {
        var name = RpcGuard.Id(request.Name, "name");
        if (request.Role is not (Roles.Participant or Roles.Engineer or Roles.Auditor or Roles.Admin))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "role must be participant, engineer, auditor or admin."));
        }
        if (request.ValidHours is < 0 or > MaxInvitationHours)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"valid_hours must be between 1 and {MaxInvitationHours} (0 means {DefaultInvitationHours})."));
        }
        var token = EnrollmentToken.Create(Federation().Ca.Fingerprint);
        var now = time.GetUtcNow();
        var expiresAt = now.AddHours(request.ValidHours == 0 ? DefaultInvitationHours : request.ValidHours);
        var caller = CallerIdentity.Of(context)!;
        await RpcGuard.Call(async () =>
        {
            await identities.CreateInvitationAsync(name, request.Role, token.SecretHash(), now, expiresAt, caller.Name, context.CancellationToken);
            return true;
        });
        return new Invitation { Token = token.ToString(), Name = name, Role = request.Role, ExpiresAt = Timestamp.FromDateTimeOffset(expiresAt) };
    }

    public override async Task<IssuedCertificate> Enroll(EnrollRequest request, ServerCallContext context)
    {
        var federation = Federation();
        if (!EnrollmentToken.TryParse(request.Token, out var token))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The enrollment token is malformed (expected fl1.<CA fingerprint>.<secret>)."));
        }
        if (token.CaFingerprint != federation.Ca.Fingerprint)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "The enrollment token was issued by another federation's CA."));
        }
        var csr = CheckCsr(request.CsrDer);
        var (name, role, refusal) = await RpcGuard.Call(() => identities.RedeemAsync(token.SecretHash(), time.GetUtcNow(), context.CancellationToken));
        if (refusal is not null)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, $"Enrollment refused: {refusal}"));
        }
        return await IssueAsync(csr, name!, role!, context.CancellationToken);
    }

    public override async Task<IssuedCertificate> RenewCertificate(RenewCertificateRequest request, ServerCallContext context)
    {
        // The interceptor has checked the current certificate: valid, from this CA, not revoked.
        var caller = CallerIdentity.Of(context)!;
        return await IssueAsync(CheckCsr(request.CsrDer), caller.Name, caller.Role, context.CancellationToken);
    }

    public override async Task<IdentityRecord> RevokeIdentity(RevokeIdentityRequest request, ServerCallContext context)
    {
        var name = RpcGuard.Id(request.Name, "name");
        var caller = CallerIdentity.Of(context)!;
        var row = await RpcGuard.Call(() => identities.RevokeAsync(name, caller.Name, time.GetUtcNow(), context.CancellationToken));
        services.GetService<RevocationList>()?.Forget(name);
        return ToProto(row);
    }

    public override async Task<ListIdentitiesReply> ListIdentities(ListIdentitiesRequest request, ServerCallContext context)
    {
        var reply = new ListIdentitiesReply();
        reply.Identities.AddRange((await RpcGuard.Call(() => identities.ListAsync(null, context.CancellationToken))).Select(ToProto));
        return reply;
    }

    public override async Task<AuditLog> GetAuditLog(GetAuditLogRequest request, ServerCallContext context)
    {
        if (request.AfterSequence < 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "after_sequence cannot be negative."));
        }
        var reply = new AuditLog();
        foreach (var entry in await RpcGuard.Call(() => auditLog.ListAsync(request.AfterSequence, context.CancellationToken)))
        {
            reply.Entries.Add(new AuditEntry
            {
                Sequence = entry.Sequence, At = Timestamp.FromDateTimeOffset(entry.At), Actor = entry.Actor, ActorRole = entry.ActorRole,
                Action = entry.Action, Target = entry.Target, Details = entry.Details, PreviousHash = entry.PreviousHash, EntryHash = entry.EntryHash,
            });
        }
        return reply;
    }

    private async Task<IssuedCertificate> IssueAsync(byte[] csr, string name, string role, CancellationToken ct)
    {
        var federation = Federation();
        var lifetime = TimeSpan.FromDays(role == Roles.Participant ? options.Value.ParticipantCertificateDays : options.Value.UserCertificateDays);
        var now = time.GetUtcNow();
        X509Certificate2 certificate;
        try
        {
            certificate = federation.Ca.IssueClient(csr, name, role, lifetime, now);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"csr_der is not a usable certificate request: {e.Message}"));
        }
        using (certificate)
        {
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            await RpcGuard.Call(async () =>
            {
                await identities.RecordCertificateAsync(certificate.SerialNumber, name, role, now, notAfter, ct);
                return true;
            });
            return new IssuedCertificate
            {
                CertificatePem = certificate.ExportCertificatePem(),
                CaCertificatePem = federation.Ca.Certificate.ExportCertificatePem(),
                Name = name,
                Role = role,
                NotAfter = Timestamp.FromDateTimeOffset(notAfter),
            };
        }
    }

    /// <summary>A PKCS#10 request for a P-256 key, signed by that key (checked before a token is used up).</summary>
    private static byte[] CheckCsr(Google.Protobuf.ByteString csrDer)
    {
        if (csrDer.Length is 0 or > MaxCsrBytes)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"csr_der must be a DER certificate request of 1 to {MaxCsrBytes} bytes."));
        }
        var bytes = csrDer.ToByteArray();
        try
        {
            var request = CertificateRequest.LoadSigningRequest(bytes, HashAlgorithmName.SHA256, CertificateRequestLoadOptions.Default);
            using var key = request.PublicKey.GetECDsaPublicKey();
            if (key is null || key.KeySize != 256)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, "csr_der must request a certificate for an ECDSA P-256 key."));
            }
        }
        catch (CryptographicException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"csr_der is not a valid, self-signed certificate request: {e.Message}"));
        }
        return bytes;
    }

    private static IdentityRecord ToProto(IdentityRecordRow row)
    {
        var record = new IdentityRecord { Name = row.Name, Role = row.Role, Status = row.Status, UpdatedAt = Timestamp.FromDateTimeOffset(row.UpdatedAt) };
        if (row.CertificateNotAfter is { } notAfter)
        {
            record.CertificateNotAfter = Timestamp.FromDateTimeOffset(notAfter);
        }
        return record;
    }

    private FederationCredentials Federation() => services.GetService<FederationCredentials>()
        ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
            "This coordinator runs in plain-text development mode; it has no federation CA and enrolls nobody."));
}
