using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity.Tests;

public sealed class CertificateAuthorityTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IssueClient_FromCsr_CarriesTheInvitedNameAndRoleNotTheRequested()
    {
        using var ca = CertificateAuthority.Create("test", TimeSpan.FromDays(30), Now);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var csr = new CertificateRequest("CN=admin", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddUri(new Uri(Roles.ToUri(Roles.Admin)));
        csr.CertificateExtensions.Add(san.Build());

        using var issued = ca.IssueClient(csr.CreateSigningRequest(), "hospital-a", Roles.Participant, TimeSpan.FromDays(7), Now);
        var identity = CertificateIdentity.TryRead(issued, out var reason);

        Assert.Null(reason);
        Assert.Equal(("hospital-a", Roles.Participant), (identity!.Name, identity.Role));
        Assert.Equal(Now.AddDays(7), identity.NotAfter);
        Assert.Null(FederationTrust.Check(issued, ca.Certificate, Now));
    }

    [Fact]
    public void IssueClient_CoordinatorRoleOrBadName_Refused()
    {
        using var ca = CertificateAuthority.Create("test", TimeSpan.FromDays(30), Now);

        Assert.Throws<ArgumentException>(() => ca.IssueClientWithKey("x", Roles.Coordinator, TimeSpan.FromDays(1), Now));
        Assert.Throws<ArgumentException>(() => ca.IssueClientWithKey("CN=evil,O=x", Roles.Participant, TimeSpan.FromDays(1), Now));
    }

    [Fact]
    public void Check_ExpiredOrForeign_SaysWhy()
    {
        using var ca = CertificateAuthority.Create("test", TimeSpan.FromDays(30), Now);
        using var other = CertificateAuthority.Create("other", TimeSpan.FromDays(30), Now);
        using var issued = ca.IssueClientWithKey("a", Roles.Engineer, TimeSpan.FromDays(1), Now);

        Assert.Equal("the certificate has expired.", FederationTrust.Check(issued, ca.Certificate, Now.AddDays(2)));
        Assert.Equal("the certificate was not issued by this federation's CA.", FederationTrust.Check(issued, other.Certificate, Now));
    }

    [Fact]
    public void IssueClient_LifetimeBeyondTheCa_EndsWithTheCa()
    {
        using var ca = CertificateAuthority.Create("test", TimeSpan.FromDays(3), Now);

        using var issued = ca.IssueClientWithKey("a", Roles.Auditor, TimeSpan.FromDays(30), Now);

        Assert.Equal(ca.Certificate.NotAfter, issued.NotAfter);
    }

    [Fact]
    public void TryRead_CertificateWithoutRole_Refused()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var plain = new CertificateRequest("CN=someone", key, HashAlgorithmName.SHA256).CreateSelfSigned(Now, Now.AddDays(1));

        Assert.Null(CertificateIdentity.TryRead(plain, out var reason));
        Assert.Contains("role", reason, StringComparison.Ordinal);
    }
}
