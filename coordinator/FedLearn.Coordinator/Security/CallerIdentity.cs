using FedLearn.Identity;
using Grpc.Core;

namespace FedLearn.Coordinator.Security;

/// <summary>Who made a call, as proven by its client certificate (or the anonymous development caller in plain-text mode).</summary>
/// <param name="Name">The certificate's name: a participant's id or a user's name.</param>
/// <param name="Role">The certificate's role.</param>
/// <param name="SerialNumber">The certificate's serial (hex), empty for the development caller.</param>
/// <param name="IsDevelopment">True only in plain-text development mode, where nobody is authenticated.</param>
/// <param name="NotAfter">When the certificate expires (a long call is cut off then).</param>
internal sealed record CallerIdentity(string Name, string Role, string SerialNumber, bool IsDevelopment = false, DateTimeOffset? NotAfter = null)
{
    private const string UserStateKey = "fedlearn.caller";

    /// <summary>Plain-text development mode: may do everything, and participants are whoever their requests say.</summary>
    public static readonly CallerIdentity Development = new("development", Roles.Admin, "", IsDevelopment: true);

    public static CallerIdentity FromCertificate(CertificateIdentity identity) =>
        new(identity.Name, identity.Role, identity.SerialNumber, NotAfter: identity.NotAfter);

    public void AttachTo(ServerCallContext context) => context.UserState[UserStateKey] = this;

    /// <summary>The authenticated caller of a call that the interceptor let through with a certificate; null for anonymous calls.</summary>
    public static CallerIdentity? Of(ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var caller) ? (CallerIdentity)caller : null;

    public override string ToString() => IsDevelopment ? "development (no TLS)" : $"{Name} ({Role})";
}
