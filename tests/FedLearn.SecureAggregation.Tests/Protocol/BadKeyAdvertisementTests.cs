using System.Security.Cryptography;
using FedLearn.SecureAggregation.Crypto;
using FedLearn.SecureAggregation.Protocol;

namespace FedLearn.SecureAggregation.Tests.Protocol;

/// <summary>A well-formed advertisement whose keys are not keys must not make the honest participants fail the round.</summary>
public sealed class BadKeyAdvertisementTests
{
    private const int Length = 9;
    private const int Hostile = 4;

    private static KeyAdvertisement Forged(int participant)
    {
        var notAKey = RandomNumberGenerator.GetBytes(PublicKeyValidation.SpkiLength);
        return new KeyAdvertisement(participant, notAKey, notAKey);
    }

    [Fact]
    public void Receive_InvalidKeys_RefusedAndTheOthersAggregate()
    {
        var config = RoundDriver.Configure(5, 4, 3, Length);
        var coordinator = new SecAggCoordinator(config);

        var error = Assert.Throws<ArgumentException>(() => coordinator.Receive(Forged(Hostile)));

        Assert.Contains("invalid cipher key", error.Message, StringComparison.Ordinal);
        Assert.Empty(coordinator.Advertised);
        var honest = Run(config, coordinator, keysFor: coordinator.KeysFor);
        Assert.Equal(honest.Expected, honest.Result.Sum);
        Assert.Equal([0, 1, 2, 3], honest.Result.Contributors);
    }

    [Fact]
    public void ShareKeys_RelayedInvalidKey_NeighbourDroppedAndTheRoundCompletes()
    {
        // Defence in depth: even if a coordinator relayed the forged keys, each honest participant drops that neighbour.
        var config = RoundDriver.Configure(5, 4, 3, Length);
        var coordinator = new SecAggCoordinator(config);

        var honest = Run(config, coordinator, keysFor: i =>
        {
            var keys = coordinator.KeysFor(i);
            return config.Graph.AreNeighbors(i, Hostile) ? keys with { Keys = [.. keys.Keys, Forged(Hostile)] } : keys;
        });

        Assert.Equal(honest.Expected, honest.Result.Sum);
        Assert.All(honest.Dropped, d => Assert.Equal([Hostile], d));
    }

    /// <summary>Participants 0–3 run the round honestly; returns the result, the plain sum and whom each dropped for bad keys.</summary>
    private static (AggregationResult Result, uint[] Expected, List<int[]> Dropped) Run(
        RoundConfiguration config, SecAggCoordinator coordinator, Func<int, NeighborKeys> keysFor)
    {
        var participants = Enumerable.Range(0, Hostile).Select(i => new SecAggParticipant(config, i)).ToArray();
        try
        {
            foreach (var p in participants)
            {
                coordinator.Receive(p.AdvertiseKeys());
            }
            coordinator.CloseAdvertisement();
            foreach (var p in participants)
            {
                coordinator.Receive(p.ShareKeys(keysFor(p.Id)));
            }
            coordinator.CloseShareKeys();
            var expected = new uint[Length];
            foreach (var p in participants)
            {
                var x = RoundDriver.RandomVector(Length);
                for (var j = 0; j < Length; j++)
                {
                    expected[j] += x[j];
                }
                coordinator.Receive(p.MaskInput(coordinator.SharesFor(p.Id), x));
            }
            var request = coordinator.CloseMaskedInput();
            foreach (var p in participants)
            {
                coordinator.Receive(p.Unmask(request));
            }
            return (coordinator.Finish(), expected, [.. participants.Select(p => p.DroppedForBadKeys.ToArray())]);
        }
        finally
        {
            foreach (var p in participants)
            {
                p.Dispose();
            }
        }
    }
}
