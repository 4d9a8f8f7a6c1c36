using System.Security.Cryptography.X509Certificates;
using FedLearn.Identity;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// The coordinator's TLS certificate and the federation CA it trusts and signs enrollments with. Absent in plain-text
/// development mode.
/// </summary>
internal sealed class FederationCredentials : IDisposable
{
    private FederationCredentials(CertificateAuthority ca, X509Certificate2 serverCertificate)
    {
        Ca = ca;
        ServerCertificate = serverCertificate;
    }

    public CertificateAuthority Ca { get; }

    public X509Certificate2 ServerCertificate { get; }

    public static FederationCredentials Load(CoordinatorOptions options)
    {
        var directory = options.FederationDirectory;
        string PathOf(string? configured, string file) => configured is { Length: > 0 } ? configured : Path.Combine(directory, file);
        var caCertificate = PathOf(options.CaCertificatePath, FederationSetup.CaCertificate);
        var caKey = PathOf(options.CaKeyPath, FederationSetup.CaKey);
        var serverCertificate = PathOf(options.ServerCertificatePath, FederationSetup.ServerCertificate);
        var serverKey = PathOf(options.ServerKeyPath, FederationSetup.ServerKey);
        foreach (var file in new[] { caCertificate, caKey, serverCertificate, serverKey })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException(
                    $"TLS is required and '{Path.GetFullPath(file)}' does not exist. Create the federation's CA and certificates with " +
                    "`fedlearn federation init --out DIR` and set Coordinator:FederationDirectory to DIR (see docs/security.md); " +
                    "Coordinator:InsecureDevelopmentPlaintext=true runs without any security, for development only.");
            }
        }
        var ca = CertificateAuthority.Load(caCertificate, caKey);
        var server = CredentialFiles.LoadWithKey(serverCertificate, serverKey);
        if (FederationTrust.Check(server, ca.Certificate, DateTimeOffset.UtcNow) is { } problem)
        {
            throw new InvalidOperationException($"The coordinator's certificate '{serverCertificate}' is unusable: {problem}");
        }
        return new FederationCredentials(ca, server);
    }

    public void Dispose()
    {
        Ca.Dispose();
        ServerCertificate.Dispose();
    }
}
