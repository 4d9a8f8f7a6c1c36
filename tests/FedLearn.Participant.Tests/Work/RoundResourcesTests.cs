using FedLearn.Participant.Work;
using FedLearn.Training;

namespace FedLearn.Participant.Tests.Work;

public sealed class RoundResourcesTests
{
    [Fact]
    public async Task AcquireAsync_AllSlotsTaken_GivesUpAtTheDeadline()
    {
        using var resources = new RoundResources(new SharedTrainers(1), maxTransfers: 1);
        using var held = await resources.AcquireAsync(4, DateTime.UtcNow.AddMinutes(1), TestContext.Current.CancellationToken);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => resources.AcquireAsync(4, DateTime.UtcNow.AddMilliseconds(50), TestContext.Current.CancellationToken));
        Assert.Equal(1, resources.Transfers);
    }

    [Fact]
    public async Task AcquireAsync_AfterARelease_ReusesTheSameBuffers()
    {
        using var resources = new RoundResources(new SharedTrainers(1), maxTransfers: 1);
        var first = await resources.AcquireAsync(8, DateTime.UtcNow.AddMinutes(1), TestContext.Current.CancellationToken);
        float[][] buffers = [first.Global, first.Local, first.Update];
        first.Dispose();
        first.Dispose();

        using var second = await resources.AcquireAsync(8, DateTime.UtcNow.AddMinutes(1), TestContext.Current.CancellationToken);

        Assert.Equal(buffers.ToHashSet(ReferenceEqualityComparer.Instance), new float[][] { second.Global, second.Local, second.Update }.ToHashSet(ReferenceEqualityComparer.Instance));
        Assert.Equal(1, resources.Transfers);
    }

    [Fact]
    public async Task AcquireAsync_DeadlineAlreadyPassed_RefusedWithoutTakingASlot()
    {
        using var resources = new RoundResources(new SharedTrainers(1), maxTransfers: 2);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => resources.AcquireAsync(4, DateTime.UtcNow.AddSeconds(-1), TestContext.Current.CancellationToken));
        Assert.Equal(0, resources.Transfers);
    }
}
