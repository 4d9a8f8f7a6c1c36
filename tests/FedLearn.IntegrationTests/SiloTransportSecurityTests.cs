using System.Security.Cryptography.X509Certificates;
using FedLearn.Coordinator.Hosting;
using FedLearn.Identity;

namespace FedLearn.IntegrationTests;

/// <summary>Only holders of the coordinator's own key, certified by the federation CA, are accepted as peer silos.</summary>
public sealed class SiloTransportSecurityTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("fedlearn-test-silo-tls-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void APeerSiloMustPresentTheCoordinatorCertificateOfThisFederation()
    {
        var (own, ca) = Federation("ours");
        var (foreign, _) = Federation("theirs");
        using var authority = CertificateAuthority.Load(Path.Combine(_directory, "ours", FederationSetup.CaCertificate), Path.Combine(_directory, "ours", FederationSetup.CaKey));
        using var participant = authority.IssueClientWithKey("p1", Roles.Participant, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        using var admin = authority.IssueClientWithKey("root", Roles.Admin, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);

        using var silo = authority.IssueSilo(own.GetECDsaPrivateKey()!, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        Assert.True(SiloTransportSecurity.IsClusterPeer(silo, own, ca, null));
        // Same CA, another key: a participant or a user cannot pose as a silo.
        Assert.False(SiloTransportSecurity.IsClusterPeer(participant, own, ca, null));
        Assert.False(SiloTransportSecurity.IsClusterPeer(admin, own, ca, null));
        // Another federation's coordinator, and a silo certificate over another key signed by this CA.
        Assert.False(SiloTransportSecurity.IsClusterPeer(foreign, own, ca, null));
        using var otherKey = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var stranger = authority.IssueSilo(otherKey, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        Assert.False(SiloTransportSecurity.IsClusterPeer(stranger, own, ca, null));
        Assert.False(SiloTransportSecurity.IsClusterPeer(null, own, ca, null));
    }

    private (X509Certificate2 Server, X509Certificate2 Ca) Federation(string name)
    {
        var directory = Path.Combine(_directory, name);
        FederationSetup.Initialize(directory, name, ["127.0.0.1"], "admin", DateTimeOffset.UtcNow);
        return (X509Certificate2.CreateFromPemFile(Path.Combine(directory, FederationSetup.ServerCertificate), Path.Combine(directory, FederationSetup.ServerKey)),
            X509CertificateLoader.LoadCertificateFromFile(Path.Combine(directory, FederationSetup.CaCertificate)));
    }
}
