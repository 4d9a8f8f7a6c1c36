using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>
/// A directory holding one party's credentials: <c>ca.crt</c> (the federation CA it trusts), <c>client.crt</c> and
/// <c>client.key</c> (mode 600). The daemon and the CLI use it to open mutual-TLS 1.3 connections, and renewal replaces
/// the certificate in place; readers always get the current one.
/// </summary>
public sealed class ClientCredentials
{
    public const string CaFile = "ca.crt";
    public const string CertificateFile = "client.crt";
    public const string KeyFile = "client.key";

    private readonly Lock _lock = new();
    private X509Certificate2 _certificate;

    private ClientCredentials(string directory, X509Certificate2 ca, X509Certificate2 certificate)
    {
        Directory = directory;
        Ca = ca;
        _certificate = certificate;
    }

    public string Directory { get; }

    public X509Certificate2 Ca { get; }

    public X509Certificate2 Certificate
    {
        get
        {
            lock (_lock)
            {
                return _certificate;
            }
        }
    }

    public CertificateIdentity Identity =>
        CertificateIdentity.TryRead(Certificate, out var reason) ?? throw new InvalidDataException($"{Path.Combine(Directory, CertificateFile)}: {reason}");

    public static bool Exist(string directory) =>
        File.Exists(Path.Combine(directory, CaFile)) && File.Exists(Path.Combine(directory, CertificateFile)) && File.Exists(Path.Combine(directory, KeyFile));

    public static ClientCredentials Load(string directory)
    {
        if (!Exist(directory))
        {
            throw new FileNotFoundException(
                $"No credentials in '{directory}' (expected {CaFile}, {CertificateFile} and {KeyFile}). Enroll first, or point at the right directory.");
        }
        try
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, CaFile));
            var certificate = CredentialFiles.LoadWithKey(Path.Combine(directory, CertificateFile), Path.Combine(directory, KeyFile));
            return new ClientCredentials(directory, ca, certificate);
        }
        catch (CryptographicException e)
        {
            throw new InvalidDataException($"The credentials in '{directory}' cannot be read: {e.Message}", e);
        }
    }

    /// <summary>Writes a complete set: the key never leaves this machine, it was generated here.</summary>
    public static ClientCredentials Save(string directory, X509Certificate2 ca, X509Certificate2 certificate, ECDsa key)
    {
        CredentialFiles.WritePublic(Path.Combine(directory, CaFile), ca.ExportCertificatePem());
        CredentialFiles.WritePrivate(Path.Combine(directory, KeyFile), key.ExportPkcs8PrivateKeyPem());
        CredentialFiles.WritePrivate(Path.Combine(directory, CertificateFile), certificate.ExportCertificatePem());
        return Load(directory);
    }

    /// <summary>Writes a certificate that holds its private key (issued with <see cref="CertificateAuthority.IssueClientWithKey"/>).</summary>
    public static ClientCredentials Save(string directory, X509Certificate2 ca, X509Certificate2 certificateWithKey)
    {
        using var key = certificateWithKey.GetECDsaPrivateKey() ?? throw new ArgumentException("The certificate holds no ECDSA private key.");
        return Save(directory, ca, certificateWithKey, key);
    }

    /// <summary>Replaces the certificate after renewal (same key); new connections present the new one.</summary>
    public void Replace(X509Certificate2 renewed, ECDsa key)
    {
        CredentialFiles.WritePrivate(Path.Combine(Directory, KeyFile), key.ExportPkcs8PrivateKeyPem());
        CredentialFiles.WritePrivate(Path.Combine(Directory, CertificateFile), renewed.ExportCertificatePem());
        var loaded = CredentialFiles.LoadWithKey(Path.Combine(Directory, CertificateFile), Path.Combine(Directory, KeyFile));
        lock (_lock)
        {
            _certificate = loaded;
        }
    }

    /// <summary>An HTTP/2 handler that speaks TLS 1.3 only, presents the current client certificate and trusts only the federation CA.</summary>
    public SocketsHttpHandler CreateHandler() => TlsClient.CreateHandler(Ca, () => Certificate);
}
