using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using FedLearn.Coordinator.Security;
using FedLearn.Identity;
using Orleans.Connections.Security;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// Mutual TLS 1.3 between the silos of a cluster (postgres mode). Silo-to-silo connections carry grain calls, and in
/// central-noise mode those include participants' clipped updates before any noise, so they are never in plain text
/// unless the whole coordinator is (Coordinator:InsecureDevelopmentPlaintext). At start-up each silo has the federation
/// CA sign a silo certificate over the coordinator's own key (server.key; the server certificate itself is for server
/// authentication only) and accepts a peer only if its certificate chains to the federation CA and carries that same
/// public key: a participant's or user's certificate, issued by the same CA, is refused, so only holders of the
/// coordinator's key can join the cluster or read its traffic.
/// </summary>
public static class SiloTransportSecurity
{
    public static void Configure(ISiloBuilder silo, CoordinatorOptions options)
    {
        // Loaded here as well as for Kestrel: the silo is configured before the web host's services exist.
        var federation = FederationCredentials.Load(options);
        var ca = federation.Ca.Certificate;
        var server = federation.ServerCertificate;
        var key = server.GetECDsaPrivateKey() ?? throw new InvalidOperationException("The coordinator's server key must be an ECDSA key.");
        var now = DateTimeOffset.UtcNow;
        // Valid as long as the server certificate: a silo lives no longer than the certificate it serves with.
        var own = federation.Ca.IssueSilo(key, server.NotAfter - now, now);
        silo.UseTls(own, tls =>
        {
            tls.SslProtocols = SslProtocols.Tls13;
            tls.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
            // Silos dial each other by IP address, which the certificate need not name: trust comes from the check below.
            tls.RemoteCertificateValidation = (remote, chain, _) => IsClusterPeer(remote, own, ca, chain?.ChainPolicy.ExtraStore);
            tls.CheckCertificateRevocation = false;
        });
    }

    /// <summary>A peer silo: its certificate chains to the federation CA and has this coordinator's public key.</summary>
    public static bool IsClusterPeer(X509Certificate2? remote, X509Certificate2 own, X509Certificate2 ca, X509Certificate2Collection? intermediates) =>
        remote is not null
        && remote.PublicKey.EncodedKeyValue.RawData.AsSpan().SequenceEqual(own.PublicKey.EncodedKeyValue.RawData)
        && FederationTrust.Check(remote, ca, DateTimeOffset.UtcNow, intermediates) is null;
}
