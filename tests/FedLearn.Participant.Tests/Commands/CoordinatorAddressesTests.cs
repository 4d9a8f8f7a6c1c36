using FedLearn.Participant.Commands;

namespace FedLearn.Participant.Tests.Commands;

public sealed class CoordinatorAddressesTests
{
    [Fact]
    public void OneAddressOrSeveralSeparatedByCommasInTheOrderGiven()
    {
        Assert.Equal([new Uri("https://a:5100")], CoordinatorAddresses.Parse("https://a:5100"));
        Assert.Equal([new Uri("https://a:5100"), new Uri("https://b:5101"), new Uri("https://c:5102")],
            CoordinatorAddresses.Parse("https://a:5100, https://b:5101,https://c:5102"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a:5100")]
    [InlineData("https://a:5100,")]
    [InlineData("https://a:5100,ftp://b")]
    [InlineData("https://a:5100,http://b:5100")]
    public void AnythingElseIsRefused(string value) => Assert.Null(CoordinatorAddresses.Parse(value));
}
