using FedLearn.Identity;
using FedLearn.Protos.V1;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// Which roles may call which method: the one table every call is checked against. A method missing here is refused
/// (fail closed), so a new RPC has to be given its roles before anyone can call it.
/// </summary>
internal static class RpcPermissions
{
    /// <summary>No certificate needed (Enroll is authorised by its token instead).</summary>
    public static readonly IReadOnlySet<string> Anonymous = new HashSet<string>();

    private static readonly IReadOnlySet<string> Operate = new HashSet<string> { Roles.Engineer, Roles.Admin };
    private static readonly IReadOnlySet<string> Read = new HashSet<string> { Roles.Engineer, Roles.Auditor, Roles.Admin };
    private static readonly IReadOnlySet<string> Audit = new HashSet<string> { Roles.Auditor, Roles.Admin };
    private static readonly IReadOnlySet<string> AdminOnly = new HashSet<string> { Roles.Admin };
    private static readonly IReadOnlySet<string> ParticipantOnly = new HashSet<string> { Roles.Participant };
    private static readonly IReadOnlySet<string> AnyRole = new HashSet<string> { Roles.Participant, Roles.Engineer, Roles.Auditor, Roles.Admin };

    private static readonly Dictionary<string, IReadOnlySet<string>> Table = Build();

    /// <summary>The roles that may call <paramref name="method"/> ("/package.Service/Method"), or null if it is not in the table.</summary>
    public static IReadOnlySet<string>? For(string method) => Table.GetValueOrDefault(method);

    private static Dictionary<string, IReadOnlySet<string>> Build()
    {
        var table = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        void Add(Google.Protobuf.Reflection.ServiceDescriptor service, string method, IReadOnlySet<string> roles)
        {
            var descriptor = service.FindMethodByName(method) ?? throw new InvalidOperationException($"{service.FullName} has no method {method}.");
            table.Add($"/{service.FullName}/{descriptor.Name}", roles);
        }

        var admin = AdminService.Descriptor;
        Add(admin, "CreateSession", Operate);
        Add(admin, "StartSession", Operate);
        Add(admin, "StopSession", Operate);
        Add(admin, "ExportModel", Operate);
        Add(admin, "ListSessions", Read);
        Add(admin, "GetSessionStatus", Read);
        Add(admin, "WatchSession", Read);
        Add(admin, "GetRound", Read);
        Add(admin, "GetLedger", Read);

        // Every participant call acts in the caller's own name: ParticipantIdBinding checks the ids in its messages.
        foreach (var method in ParticipantService.Descriptor.Methods)
        {
            Add(ParticipantService.Descriptor, method.Name, ParticipantOnly);
        }

        var identity = IdentityService.Descriptor;
        Add(identity, "GetFederationCa", Anonymous);
        Add(identity, "Enroll", Anonymous);
        Add(identity, "RenewCertificate", AnyRole);
        Add(identity, "CreateInvitation", AdminOnly);
        Add(identity, "RevokeIdentity", AdminOnly);
        Add(identity, "ListIdentities", Audit);
        Add(identity, "GetAuditLog", Audit);

        Add(AuditService.Descriptor, "RecordAudit", Operate);
        Add(AuditService.Descriptor, "GetAudit", Read);
        return table;
    }
}
