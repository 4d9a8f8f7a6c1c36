using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Grpc.Net.Client;

namespace FedLearn.Identity;

/// <summary>
/// The data owner's (or CLI user's) side of enrollment and renewal. The private key is generated here and never sent;
/// only a certificate request is. Before the token leaves this machine the coordinator must prove it belongs to the
/// federation named in the token: its CA's SHA-256 must equal the token's fingerprint and its TLS certificate must chain
/// to that CA for the host dialled — so the first contact is authenticated, not trusted on first use.
/// </summary>
public static class EnrollmentClient
{
    public static async Task<ClientCredentials> EnrollAsync(Uri coordinator, string tokenText, string directory, string? expectedRole, CancellationToken ct)
    {
        if (coordinator.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException("Enrollment needs an https:// coordinator address.");
        }
        if (!EnrollmentToken.TryParse(tokenText, out var token))
        {
            throw new ArgumentException("The token is malformed; copy it exactly as `fedlearn participant invite` or `fedlearn user add` printed it.");
        }
        var ca = await FetchPinnedCaAsync(coordinator, token.CaFingerprint, ct);
        using var channel = OpenEnrollmentChannel(coordinator, ca);
        return await EnrollAsync(channel, ca, token, directory, expectedRole, ct);
    }

    /// <summary>
    /// Redeems <paramref name="token"/> over <paramref name="channel"/> to a coordinator already authenticated as the
    /// federation of <paramref name="ca"/> (<see cref="FetchPinnedCaAsync"/>, <see cref="OpenEnrollmentChannel"/>): a key
    /// made here, a certificate request sent, the certificate checked and saved with the key in <paramref name="directory"/>.
    /// </summary>
    public static async Task<ClientCredentials> EnrollAsync(
        GrpcChannel channel, X509Certificate2 ca, EnrollmentToken token, string directory, string? expectedRole, CancellationToken ct)
    {
        if (token.CaFingerprint != CertificateAuthority.FingerprintOf(ca))
        {
            throw new ArgumentException("The token names another federation's CA than the coordinator's; nothing was sent.");
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issued = await new IdentityService.IdentityServiceClient(channel).EnrollAsync(
            new EnrollRequest { Token = token.ToString(), CsrDer = ByteString.CopyFrom(CreateCsr(key)) }, cancellationToken: ct);
        using var certificate = CheckIssued(issued, ca, key, expectedRole);
        return ClientCredentials.Save(directory, ca, certificate, key);
    }

    /// <summary>A channel without a client certificate that trusts only <paramref name="ca"/>: what enrollment is sent over.</summary>
    public static GrpcChannel OpenEnrollmentChannel(Uri coordinator, X509Certificate2 ca) =>
        GrpcChannel.ForAddress(coordinator, new GrpcChannelOptions
        {
            HttpHandler = TlsClient.CreateHandler(ca, () => null),
            DisposeHttpClient = true,
        });

    /// <summary>A new key and certificate for the same identity, over the current mutual-TLS channel; the files are replaced.</summary>
    public static async Task<CertificateIdentity> RenewAsync(GrpcChannel channel, ClientCredentials credentials, CancellationToken ct)
    {
        var current = credentials.Identity;
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var issued = await new IdentityService.IdentityServiceClient(channel).RenewCertificateAsync(
            new RenewCertificateRequest { CsrDer = ByteString.CopyFrom(CreateCsr(key)) }, cancellationToken: ct);
        using var certificate = CheckIssued(issued, credentials.Ca, key, current.Role);
        if (issued.Name != current.Name)
        {
            throw new InvalidDataException($"The coordinator renewed '{current.Name}' as '{issued.Name}'; refusing the certificate.");
        }
        credentials.Replace(certificate, key);
        return credentials.Identity;
    }

    /// <summary>When a certificate should be renewed: once less than a third of its lifetime is left.</summary>
    public static DateTimeOffset RenewalDue(X509Certificate2 certificate)
    {
        var notBefore = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
        var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
        return notAfter - (notAfter - notBefore) / 3;
    }

    private static byte[] CreateCsr(ECDsa key) =>
        new CertificateRequest(new X500DistinguishedName("CN=fedlearn-enrollment"), key, HashAlgorithmName.SHA256).CreateSigningRequest();

    private static X509Certificate2 CheckIssued(IssuedCertificate issued, X509Certificate2 ca, ECDsa key, string? expectedRole)
    {
        var certificate = X509Certificate2.CreateFromPem(issued.CertificatePem);
        using var publicKey = certificate.GetECDsaPublicKey();
        if (publicKey is null || !publicKey.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(key.ExportSubjectPublicKeyInfo()))
        {
            throw new InvalidDataException("The coordinator returned a certificate for another key; refusing it.");
        }
        if (FederationTrust.Check(certificate, ca, DateTimeOffset.UtcNow) is { } problem)
        {
            throw new InvalidDataException($"The coordinator returned an unusable certificate: {problem}");
        }
        var identity = CertificateIdentity.TryRead(certificate, out var reason) ?? throw new InvalidDataException($"The returned certificate: {reason}");
        if (expectedRole is not null && identity.Role != expectedRole)
        {
            throw new InvalidDataException($"The token was for a {identity.Role}, not a {expectedRole}.");
        }
        return certificate;
    }

    /// <summary>Asks for the CA over TLS and accepts it only if it is the pinned one and the server's certificate chains to it.</summary>
    public static async Task<X509Certificate2> FetchPinnedCaAsync(Uri coordinator, string fingerprint, CancellationToken ct)
    {
        X509Certificate2? server = null;
        var nameMatched = false;
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls13,
                // Provisional: remember what the server showed; it is judged below, before the token is sent anywhere.
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is not null)
                    {
                        server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
                        nameMatched = (errors & SslPolicyErrors.RemoteCertificateNameMismatch) == 0;
                    }
                    return certificate is not null;
                },
            },
        };
        using var channel = GrpcChannel.ForAddress(coordinator, new GrpcChannelOptions { HttpHandler = handler, DisposeHttpClient = true });
        var reply = await new IdentityService.IdentityServiceClient(channel).GetFederationCaAsync(new GetFederationCaRequest(), cancellationToken: ct);
        var ca = X509Certificate2.CreateFromPem(reply.CertificatePem);
        if (CertificateAuthority.FingerprintOf(ca) != fingerprint)
        {
            throw new InvalidDataException($"The server at {coordinator} is not the coordinator of the federation in the token (its CA has another fingerprint); nothing was sent.");
        }
        if (server is null || !nameMatched || FederationTrust.Check(server, ca, DateTimeOffset.UtcNow) is not null)
        {
            throw new InvalidDataException($"The server at {coordinator} did not present a certificate of the federation's CA for that address; nothing was sent.");
        }
        return ca;
    }
}
