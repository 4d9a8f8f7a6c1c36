using System.Globalization;
using FedLearn.Protos.V1;
using Google.Protobuf;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// The operator actions the audit log records, by method: what the action is called and what it was done to. Read-only
/// calls are not recorded.
/// </summary>
internal static class AuditedActions
{
    /// <summary>How one method is recorded. <see cref="BeforeRelease"/>: recorded before the call runs (an export is on
    /// record before the model leaves); otherwise after it succeeded.</summary>
    public sealed record Action(string Name, Func<IMessage, IMessage?, (string Target, string Details)> Describe, bool BeforeRelease = false);

    private static readonly Dictionary<string, Action> Table = new(StringComparer.Ordinal)
    {
        [Method(AdminService.Descriptor, "CreateSession")] = new("session.create", (_, reply) => (((SessionStatus)reply!).SessionId, "")),
        [Method(AdminService.Descriptor, "StartSession")] = new("session.start", (request, _) => (((SessionRequest)request).SessionId, "")),
        [Method(AdminService.Descriptor, "StopSession")] = new("session.stop", (request, _) => (((SessionRequest)request).SessionId, "")),
        [Method(AdminService.Descriptor, "ExportModel")] = new("model.export", (request, _) =>
        {
            var export = (ExportModelRequest)request;
            return (export.SessionId, export.Round == 0 ? "round=latest" : string.Create(CultureInfo.InvariantCulture, $"round={export.Round}"));
        }, BeforeRelease: true),
        [Method(IdentityService.Descriptor, "CreateInvitation")] = new("identity.invite", (request, reply) =>
        {
            var invitation = (Invitation)reply!;
            return (invitation.Name, $"role={invitation.Role} expires_at={invitation.ExpiresAt.ToDateTimeOffset():O}");
        }),
        [Method(IdentityService.Descriptor, "Enroll")] = new("identity.enroll", (_, reply) => Issued((IssuedCertificate)reply!)),
        [Method(IdentityService.Descriptor, "RenewCertificate")] = new("identity.renew", (_, reply) => Issued((IssuedCertificate)reply!)),
        [Method(IdentityService.Descriptor, "RevokeIdentity")] = new("identity.revoke", (request, reply) => (((RevokeIdentityRequest)request).Name, $"role={((IdentityRecord)reply!).Role}")),
    };

    public static Action? For(string method) => Table.GetValueOrDefault(method);

    private static (string, string) Issued(IssuedCertificate certificate) =>
        (certificate.Name, $"role={certificate.Role} not_after={certificate.NotAfter.ToDateTimeOffset():O}");

    private static string Method(Google.Protobuf.Reflection.ServiceDescriptor service, string name) =>
        $"/{service.FullName}/{service.FindMethodByName(name)?.Name ?? throw new InvalidOperationException($"{service.FullName} has no method {name}.")}";
}
