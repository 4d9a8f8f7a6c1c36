namespace FedLearn.Identity.Tests;

public sealed class BulkEnrollmentTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Names_AreDistinctValidIdsInOrder()
    {
        var names = BulkEnrollment.Names("sim", 12);

        Assert.Equal("sim-00000", names[0]);
        Assert.Equal("sim-00011", names[11]);
        Assert.Equal(12, names.Distinct().Count());
        Assert.All(names, n => Assert.True(IdentityNames.IsValid(n)));
        Assert.Equal("sim-123456", BulkEnrollment.Names("sim", 123_457)[123_456]);
    }

    [Fact]
    public void IssueParticipants_EachNameGetsItsOwnKeyAndAParticipantCertificateOfTheCa()
    {
        using var ca = CertificateAuthority.Create("test", TimeSpan.FromDays(30), Now);
        var names = BulkEnrollment.Names("p", 8);

        var issued = BulkEnrollment.IssueParticipants(ca, names, TimeSpan.FromDays(1), Now);

        Assert.Equal(names.Count, issued.Length);
        for (var i = 0; i < issued.Length; i++)
        {
            var identity = CertificateIdentity.TryRead(issued[i], out var reason);
            Assert.Null(reason);
            Assert.Equal((names[i], Roles.Participant), (identity!.Name, identity.Role));
            Assert.True(issued[i].HasPrivateKey);
            Assert.Null(FederationTrust.Check(issued[i], ca.Certificate, Now));
        }
        Assert.Equal(issued.Length, issued.Select(c => c.GetPublicKeyString()).Distinct().Count());
    }

    [Fact]
    public void IssueParticipants_AnInvalidName_Refused()
    {
        using var ca = CertificateAuthority.Create("test", TimeSpan.FromDays(30), Now);

        Assert.ThrowsAny<Exception>(() => BulkEnrollment.IssueParticipants(ca, ["ok", "CN=evil"], TimeSpan.FromDays(1), Now));
    }
}
