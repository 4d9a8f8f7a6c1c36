namespace FedLearn.Identity;

/// <summary>
/// The roles a federation certificate can carry. A certificate names exactly one, as a URI subject alternative name
/// <c>fedlearn:role/NAME</c>; see docs/security.md.
/// </summary>
public static class Roles
{
    /// <summary>Enrolls participants and users, revokes them, reads the audit log, and does everything an engineer can.</summary>
    public const string Admin = "admin";

    /// <summary>Creates, starts, stops and exports sessions and models; reads status and ledgers.</summary>
    public const string Engineer = "engineer";

    /// <summary>Reads status, rounds, ledgers and the audit log; changes nothing.</summary>
    public const string Auditor = "auditor";

    /// <summary>A data owner's daemon: the participant API only, in its own name.</summary>
    public const string Participant = "participant";

    /// <summary>The coordinator's own server certificate.</summary>
    public const string Coordinator = "coordinator";

    public const string UriPrefix = "fedlearn:role/";

    /// <summary>The roles a CLI user may be given with <c>fedlearn user add</c>.</summary>
    public static readonly IReadOnlyList<string> UserRoles = [Engineer, Auditor, Admin];

    public static bool IsKnown(string role) => role is Admin or Engineer or Auditor or Participant or Coordinator;

    public static string ToUri(string role) => UriPrefix + role;
}
