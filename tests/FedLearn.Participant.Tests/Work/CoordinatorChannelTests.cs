using FedLearn.Participant.Work;

namespace FedLearn.Participant.Tests.Work;

public sealed class CoordinatorChannelTests
{
    [Fact]
    public void FailoverMovesRoundRobinThroughTheCoordinatorsOfACluster()
    {
        var settings = new ParticipantSettings(new Uri("http://127.0.0.1:1"), "p1", TimeSpan.FromSeconds(1),
            OtherCoordinatorUrls: [new Uri("http://127.0.0.1:2"), new Uri("http://127.0.0.1:3")]);
        using var channel = new CoordinatorChannel(settings);
        List<int> ports = [channel.Address.Port];
        for (var i = 0; i < 3; i++)
        {
            Assert.True(channel.Failover());
            // The channel in use talks to the address it names.
            Assert.Equal($"127.0.0.1:{channel.Address.Port}", channel.Current.Target);
            ports.Add(channel.Address.Port);
        }
        Assert.Equal([1, 2, 3, 1], ports);
    }

    [Fact]
    public void WithOneCoordinatorThereIsNothingToFailOverTo()
    {
        using var channel = new CoordinatorChannel(new ParticipantSettings(new Uri("http://127.0.0.1:1"), "p1", TimeSpan.FromSeconds(1)));
        Assert.False(channel.Failover());
        Assert.Equal(new Uri("http://127.0.0.1:1"), channel.Address);
    }
}
