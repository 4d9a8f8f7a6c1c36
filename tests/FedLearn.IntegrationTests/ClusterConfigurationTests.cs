using FedLearn.Coordinator;
using FedLearn.Coordinator.Hosting;

namespace FedLearn.IntegrationTests;

/// <summary>A cluster configuration that makes no sense stops the coordinator at start-up with an error naming the setting.</summary>
public sealed class ClusterConfigurationTests
{
    [Fact]
    public void TheDefaultIsOneCoordinatorOnLocalhost()
    {
        var options = new CoordinatorOptions();
        CoordinatorCluster.Validate(options);
        Assert.Equal("localhost", options.Cluster.Mode);
    }

    [Theory]
    [InlineData("Mode", "cluster", "Coordinator:Cluster:Mode 'cluster' is not known")]
    [InlineData("Mode", "", "Coordinator:Cluster:Mode '' is not known")]
    [InlineData("AdvertisedAddress", "127.0.0.1", "AdvertisedAddress is set but Coordinator:Cluster:Mode is 'localhost'")]
    [InlineData("ServiceId", " ", "Coordinator:Cluster:ServiceId must not be empty")]
    [InlineData("ResumeIntervalSeconds", "0", "ResumeIntervalSeconds must be between 1 and 3600")]
    public void NonsenseIsRefused(string setting, string value, string expected)
    {
        var options = new CoordinatorOptions();
        Set(options.Cluster, setting, value);
        var refused = Assert.Throws<InvalidOperationException>(() => CoordinatorCluster.Validate(options));
        Assert.Contains(expected, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("coordinator-1")]
    [InlineData("0.0.0.0")]
    [InlineData("10.0.0.300")]
    public void PostgresModeRefusesAnAdvertisedAddressThatIsNotAReachableIp(string address)
    {
        var options = new CoordinatorOptions { Cluster = { Mode = "postgres", AdvertisedAddress = address } };
        var refused = Assert.Throws<InvalidOperationException>(() => CoordinatorCluster.Validate(options));
        Assert.Contains($"Coordinator:Cluster:AdvertisedAddress '{address}' is not an IP address", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresModeRefusesOnePortForSiloAndGateway()
    {
        var options = new CoordinatorOptions { SiloPort = 11111, GatewayPort = 11111, Cluster = { Mode = "postgres" } };
        var refused = Assert.Throws<InvalidOperationException>(() => CoordinatorCluster.Validate(options));
        Assert.Contains("Coordinator:SiloPort and Coordinator:GatewayPort are both 11111", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresModeWithAnAddressOrWithoutOneIsAccepted()
    {
        CoordinatorCluster.Validate(new CoordinatorOptions { Cluster = { Mode = "postgres", AdvertisedAddress = "10.0.0.5" } });
        CoordinatorCluster.Validate(new CoordinatorOptions { Cluster = { Mode = "postgres" } });
    }

    private static void Set(CoordinatorClusterOptions cluster, string setting, string value)
    {
        switch (setting)
        {
            case "Mode":
                cluster.Mode = value;
                break;
            case "AdvertisedAddress":
                cluster.AdvertisedAddress = value;
                break;
            case "ServiceId":
                cluster.ServiceId = value;
                break;
            default:
                cluster.ResumeIntervalSeconds = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
                break;
        }
    }
}
