namespace FedLearn.Identity.Tests;

public sealed class EnrollmentTokenTests
{
    private static readonly string Fingerprint = new('a', 64);

    [Fact]
    public void TryParse_CreatedToken_RoundTripsAndHashesTheSecret()
    {
        var token = EnrollmentToken.Create(Fingerprint);

        Assert.True(EnrollmentToken.TryParse(token.ToString(), out var parsed));
        Assert.Equal(token, parsed);
        Assert.Equal(32, parsed.SecretHash().Length);
        Assert.NotEqual(token.Secret, EnrollmentToken.Create(Fingerprint).Secret);
    }

    [Theory]
    [InlineData("")]
    [InlineData("fl1.abc.def")]
    [InlineData("fl2.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("fl1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("fl1.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.AAAA/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void TryParse_Malformed_False(string text) => Assert.False(EnrollmentToken.TryParse(text, out _));
}
