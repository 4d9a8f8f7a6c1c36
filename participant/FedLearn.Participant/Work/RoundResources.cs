using System.Collections.Concurrent;
using FedLearn.Training;

namespace FedLearn.Participant.Work;

/// <summary>
/// What the participants of one process share while they carry out round tasks: the trainers (ONNX Runtime sessions), a
/// bound on the tasks that hold model-sized buffers at once (download, train, upload) with a pool of those buffers, and
/// the tally of outcomes. The daemon gets its own with one of each; a simulation hands one to thousands of participants,
/// so memory grows with the bound, not with the population.
/// </summary>
public sealed class RoundResources : IDisposable
{
    private readonly SemaphoreSlim _transfers;
    private readonly ConcurrentDictionary<int, ConcurrentBag<float[]>> _buffers = new();

    /// <param name="trainers">The trainers, with their own bound on trainings at once.</param>
    /// <param name="maxTransfers">Tasks that may hold model-sized buffers at once (downloading, training or uploading).</param>
    public RoundResources(SharedTrainers trainers, int maxTransfers)
    {
        ArgumentNullException.ThrowIfNull(trainers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTransfers, 1);
        Trainers = trainers;
        MaxTransfers = maxTransfers;
        _transfers = new SemaphoreSlim(maxTransfers, maxTransfers);
    }

    /// <summary>One participant's resources: one training at a time with <paramref name="trainingThreads"/> ORT threads.</summary>
    public static RoundResources ForOneParticipant(int trainingThreads) => new(new SharedTrainers(1, trainingThreads), 1);

    public SharedTrainers Trainers { get; }

    public int MaxTransfers { get; }

    /// <summary>Tasks holding model-sized buffers now.</summary>
    public int Transfers => MaxTransfers - _transfers.CurrentCount;

    public RoundTally Tally { get; } = new();

    /// <summary>
    /// Waits for a transfer slot, giving up at <paramref name="deadline"/> (a task whose round has closed would only be
    /// refused). The slot comes with three buffers of <paramref name="length"/> floats from the pool.
    /// </summary>
    /// <exception cref="OperationCanceledException">Cancelled, or the deadline passed first.</exception>
    public async Task<TransferSlot> AcquireAsync(int length, DateTime deadline, CancellationToken ct)
    {
        var wait = deadline - DateTime.UtcNow;
        if (wait <= TimeSpan.Zero || !await _transfers.WaitAsync(wait, ct))
        {
            throw new OperationCanceledException("the round's deadline passed before a transfer slot was free");
        }
        return new TransferSlot(this, Rent(length), Rent(length), Rent(length));
    }

    private float[] Rent(int length) =>
        _buffers.GetOrAdd(length, _ => []).TryTake(out var buffer) ? buffer : new float[length];

    internal void Release(TransferSlot slot)
    {
        var bag = _buffers.GetOrAdd(slot.Global.Length, _ => []);
        bag.Add(slot.Global);
        bag.Add(slot.Local);
        bag.Add(slot.Update);
        _transfers.Release();
    }

    public void Dispose()
    {
        Trainers.Dispose();
        _transfers.Dispose();
    }
}
