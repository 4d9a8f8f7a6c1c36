using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>
/// What <c>fedlearn federation init</c> writes: a new CA (<c>ca.crt</c>, <c>ca.key</c>), the coordinator's server
/// certificate (<c>server.crt</c>, <c>server.key</c>) and a first admin's credentials in <c>admin/</c>. Keys get mode 600.
/// </summary>
public static class FederationSetup
{
    public const string CaCertificate = "ca.crt";
    public const string CaKey = "ca.key";
    public const string ServerCertificate = "server.crt";
    public const string ServerKey = "server.key";
    public const string AdminDirectory = "admin";

    public static readonly TimeSpan CaLifetime = TimeSpan.FromDays(3650);
    public static readonly TimeSpan ServerLifetime = TimeSpan.FromDays(365);
    public static readonly TimeSpan AdminLifetime = TimeSpan.FromDays(90);

    /// <summary>Creates the federation's files in <paramref name="directory"/>; refuses to overwrite an existing CA.</summary>
    public static void Initialize(string directory, string federationName, IReadOnlyList<string> serverNames, string adminName, DateTimeOffset now)
    {
        if (File.Exists(Path.Combine(directory, CaKey)) || File.Exists(Path.Combine(directory, CaCertificate)))
        {
            throw new IOException($"'{directory}' already holds a federation CA; refusing to replace it (every certificate it issued would stop working).");
        }
        using var ca = CertificateAuthority.Create(federationName, CaLifetime, now);
        ca.Save(Path.Combine(directory, CaCertificate), Path.Combine(directory, CaKey));
        IssueServerCertificate(ca, directory, serverNames, now);
        using var admin = ca.IssueClientWithKey(adminName, Roles.Admin, AdminLifetime, now);
        ClientCredentials.Save(Path.Combine(directory, AdminDirectory), ca.Certificate, admin);
    }

    /// <summary>(Re)issues the coordinator's server certificate, e.g. for another host name.</summary>
    public static void IssueServerCertificate(CertificateAuthority ca, string directory, IReadOnlyList<string> serverNames, DateTimeOffset now)
    {
        if (serverNames.Count == 0)
        {
            throw new ArgumentException("The coordinator's certificate needs at least one host name or IP address.");
        }
        using var server = ca.IssueServer(serverNames, ServerLifetime, now);
        using var key = server.GetECDsaPrivateKey()!;
        CredentialFiles.WritePublic(Path.Combine(directory, ServerCertificate), server.ExportCertificatePem());
        CredentialFiles.WritePrivate(Path.Combine(directory, ServerKey), key.ExportPkcs8PrivateKeyPem());
    }
}
