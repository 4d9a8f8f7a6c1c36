using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>
/// A federation's certificate authority: an ECDSA P-256 key and its certificate. Either self-managed (created by
/// <c>fedlearn federation init</c>) or an enterprise CA (or an intermediate it issued) loaded from its PEM files.
/// Issues short-lived client certificates carrying a name and a role, and the coordinator's server certificate.
/// </summary>
public sealed class CertificateAuthority : IDisposable
{
    private static readonly Oid ClientAuth = new("1.3.6.1.5.5.7.3.2");
    private static readonly Oid ServerAuth = new("1.3.6.1.5.5.7.3.1");

    private readonly ECDsa _key;

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
    }

    /// <summary>The CA certificate every party trusts.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>SHA-256 of the CA certificate (lower-case hex); enrollment tokens carry it so the first contact is authenticated.</summary>
    public string Fingerprint => FingerprintOf(Certificate);

    public static string FingerprintOf(X509Certificate2 certificate) =>
        Convert.ToHexStringLower(SHA256.HashData(certificate.RawData));

    /// <summary>A new self-signed CA, valid for <paramref name="lifetime"/>.</summary>
    public static CertificateAuthority Create(string federationName, TimeSpan lifetime, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName($"CN={federationName} FedLearn CA"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(lifetime));
        return new CertificateAuthority(X509CertificateLoader.LoadCertificate(certificate.RawData), key);
    }

    /// <summary>Loads a CA from its certificate and PKCS#8 (or SEC1) PEM private key.</summary>
    public static CertificateAuthority Load(string certificatePath, string keyPath)
    {
        var certificate = X509CertificateLoader.LoadCertificateFromFile(certificatePath);
        var key = ECDsa.Create();
        key.ImportFromPem(File.ReadAllText(keyPath));
        using var publicKey = certificate.GetECDsaPublicKey()
            ?? throw new InvalidDataException($"The CA certificate '{certificatePath}' does not hold an ECDSA key.");
        if (!publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new InvalidDataException($"The CA key '{keyPath}' does not belong to the CA certificate '{certificatePath}'.");
        }
        return new CertificateAuthority(certificate, key);
    }

    /// <summary>Writes the CA's certificate and (mode 600) key.</summary>
    public void Save(string certificatePath, string keyPath)
    {
        CredentialFiles.WritePublic(certificatePath, Certificate.ExportCertificatePem());
        CredentialFiles.WritePrivate(keyPath, _key.ExportPkcs8PrivateKeyPem());
    }

    /// <summary>
    /// Signs a client certificate for <paramref name="name"/> in <paramref name="role"/> over the public key of a PKCS#10
    /// request. The request's own subject and extensions are ignored: who the holder is comes from the enrollment, never
    /// from what the requester asks for.
    /// </summary>
    public X509Certificate2 IssueClient(byte[] csrDer, string name, string role, TimeSpan lifetime, DateTimeOffset now)
    {
        var csr = CertificateRequest.LoadSigningRequest(csrDer, HashAlgorithmName.SHA256,
            CertificateRequestLoadOptions.Default, RSASignaturePadding.Pkcs1);
        using var requested = csr.PublicKey.GetECDsaPublicKey()
            ?? throw new ArgumentException("The certificate request must be for an ECDSA P-256 key.");
        if (requested.KeySize != 256)
        {
            throw new ArgumentException("The certificate request must be for an ECDSA P-256 key.");
        }
        return IssueClient(requested, name, role, lifetime, now);
    }

    /// <summary>Signs a client certificate for a public key.</summary>
    public X509Certificate2 IssueClient(ECDsa publicKey, string name, string role, TimeSpan lifetime, DateTimeOffset now)
    {
        IdentityNames.Require(name);
        if (!Roles.IsKnown(role) || role == Roles.Coordinator)
        {
            throw new ArgumentException($"'{role}' is not a client role.");
        }
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}"), publicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(Roles.ToUri(role)));
        request.CertificateExtensions.Add(san.Build());
        return Sign(request, now, lifetime);
    }

    /// <summary>The coordinator's TLS server certificate for the given DNS names and IP addresses, with a new key.</summary>
    public X509Certificate2 IssueServer(IEnumerable<string> hostNames, TimeSpan lifetime, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=fedlearn-coordinator"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (var host in hostNames)
        {
            if (IPAddress.TryParse(host, out var address))
            {
                san.AddIpAddress(address);
            }
            else
            {
                san.AddDnsName(host);
            }
        }
        san.AddUri(new Uri(Roles.ToUri(Roles.Coordinator)));
        request.CertificateExtensions.Add(san.Build());
        using var certificate = Sign(request, now, lifetime);
        return certificate.CopyWithPrivateKey(key);
    }

    /// <summary>
    /// The certificate a coordinator silo presents to the other silos of its cluster, in both directions of their mutual
    /// TLS (server and client authentication), over the coordinator's own key (<paramref name="coordinatorKey"/>, the key
    /// of its server certificate) and with the coordinator role. It names no host: silos dial each other by address and
    /// recognise a peer by its key.
    /// </summary>
    public X509Certificate2 IssueSilo(ECDsa coordinatorKey, TimeSpan lifetime, DateTimeOffset now)
    {
        var request = new CertificateRequest(new X500DistinguishedName("CN=fedlearn-coordinator-silo"), coordinatorKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([ServerAuth, ClientAuth], false));
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(Roles.ToUri(Roles.Coordinator)));
        request.CertificateExtensions.Add(san.Build());
        using var certificate = Sign(request, now, lifetime);
        return certificate.CopyWithPrivateKey(coordinatorKey);
    }

    /// <summary>A client certificate with a fresh key (for the CA's own first admin and for tests).</summary>
    public X509Certificate2 IssueClientWithKey(string name, string role, TimeSpan lifetime, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = IssueClient(key, name, role, lifetime, now);
        return certificate.CopyWithPrivateKey(key);
    }

    private X509Certificate2 Sign(CertificateRequest request, DateTimeOffset now, TimeSpan lifetime)
    {
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));
        var notAfter = now.Add(lifetime);
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }
        // 16 random bytes with the top bit clear: unique, unguessable, and a positive INTEGER as RFC 5280 §4.1.2.2 requires.
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        var signer = X509SignatureGenerator.CreateForECDsa(_key);
        return request.Create(Certificate.SubjectName, signer, now.AddMinutes(-5), notAfter, serial);
    }

    public void Dispose()
    {
        Certificate.Dispose();
        _key.Dispose();
    }
}
