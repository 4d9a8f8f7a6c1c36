using System.Collections.Concurrent;

namespace FedLearn.Training;

/// <summary>
/// The trainers (ONNX Runtime sessions with their pinned batch and gradient buffers) that one or many participants in a
/// process share, and a bound on how many train at once. A trainer is not thread-safe, so each training leases one for its
/// duration; at most <see cref="MaxConcurrent"/> exist per model and kind, created on first need and kept for the next
/// round. The daemon uses one slot; a simulation of thousands of participants uses a few (one per core) instead of one
/// session per participant.
/// </summary>
public sealed class SharedTrainers : IDisposable
{
    private readonly SemaphoreSlim _slots;
    private readonly int _intraOpThreads;
    private readonly ConcurrentDictionary<ModelSpec, ConcurrentBag<LocalTrainer>> _plain = new();
    private readonly ConcurrentDictionary<ModelSpec, ConcurrentBag<DpSgdTrainer>> _dp = new();
    private bool _disposed;

    /// <param name="maxConcurrent">Trainings that may run at once (each on its own trainer).</param>
    /// <param name="intraOpThreads">ORT intra-op threads per trainer.</param>
    public SharedTrainers(int maxConcurrent, int intraOpThreads = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxConcurrent, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(intraOpThreads, 1);
        MaxConcurrent = maxConcurrent;
        _intraOpThreads = intraOpThreads;
        _slots = new SemaphoreSlim(maxConcurrent, maxConcurrent);
    }

    public int MaxConcurrent { get; }

    /// <summary>Trainings under way now.</summary>
    public int Running => MaxConcurrent - _slots.CurrentCount;

    /// <summary>Minibatch SGD (<see cref="LocalTrainer.Train"/>) on a leased trainer, on the thread pool, once a slot is free.</summary>
    public Task<TrainingResult> TrainAsync(ModelSpec spec, float[] weights, Dataset data, TrainingOptions options, CancellationToken ct) =>
        RunAsync(_plain, spec, s => new LocalTrainer(s, _intraOpThreads), t => t.Train(weights, data, options, null, ct), ct);

    /// <summary>DP-SGD (<see cref="DpSgdTrainer.Train"/>) on a leased trainer, on the thread pool, once a slot is free.</summary>
    public Task<DpTrainingResult> TrainWithDpSgdAsync(ModelSpec spec, float[] weights, Dataset data, DpSgdOptions options, CancellationToken ct) =>
        RunAsync(_dp, spec, s => new DpSgdTrainer(s, _intraOpThreads), t => t.Train(weights, data, options, null, ct), ct);

    private async Task<TResult> RunAsync<TTrainer, TResult>(
        ConcurrentDictionary<ModelSpec, ConcurrentBag<TTrainer>> idle, ModelSpec spec, Func<ModelSpec, TTrainer> create,
        Func<TTrainer, TResult> train, CancellationToken ct)
        where TTrainer : class, IDisposable
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        await _slots.WaitAsync(ct);
        try
        {
            // ModelSpec compares by value, so trainers of one model serve every round and every participant.
            var bag = idle.GetOrAdd(spec, _ => []);
            var trainer = bag.TryTake(out var free) ? free : create(spec);
            try
            {
                return await Task.Run(() => train(trainer), ct);
            }
            finally
            {
                bag.Add(trainer);
            }
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        foreach (var trainer in _plain.Values.SelectMany(b => b))
        {
            trainer.Dispose();
        }
        foreach (var trainer in _dp.Values.SelectMany(b => b))
        {
            trainer.Dispose();
        }
        _slots.Dispose();
    }
}
