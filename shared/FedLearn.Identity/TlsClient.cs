using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>TLS 1.3 client settings: the server must present a certificate issued by the federation CA for the host dialled.</summary>
public static class TlsClient
{
    public static SocketsHttpHandler CreateHandler(X509Certificate2 ca, Func<X509Certificate2?> clientCertificate) => new()
    {
        // HTTP/2 pings notice a coordinator that vanished without closing the connection.
        KeepAlivePingDelay = TimeSpan.FromSeconds(15),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        EnableMultipleHttp2Connections = true,
        SslOptions = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls13,
            RemoteCertificateValidationCallback = (_, certificate, chain, errors) => IsTrustedServer(ca, certificate, chain, errors),
            // A callback, not a fixed collection: after renewal new connections present the new certificate.
            LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCertificate()!,
        },
    };

    /// <summary>The server certificate names the host (checked by SslStream) and chains to the federation CA (checked here).</summary>
    public static bool IsTrustedServer(X509Certificate2 ca, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }
        using var server = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return FederationTrust.Check(server, ca, DateTimeOffset.UtcNow, chain?.ChainPolicy.ExtraStore) is null;
    }
}
