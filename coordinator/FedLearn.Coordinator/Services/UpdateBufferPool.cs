using System.Collections.Concurrent;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// Model-sized float buffers that uploads are read into, reused instead of allocated per participant (each would be a
/// large-object-heap allocation, 0.8 MB for the demo MLP). Buffers have exactly the requested length, because an update's
/// length is part of what the round checks. Admission control bounds how many are in use at once
/// (<see cref="DataPlaneAdmission"/>), and at most <see cref="MaxRetainedPerLength"/> per length are kept when idle.
/// </summary>
internal sealed class UpdateBufferPool
{
    public const int MaxRetainedPerLength = 64;

    private readonly ConcurrentDictionary<int, ConcurrentQueue<float[]>> _free = new();

    public float[] Rent(int length) =>
        _free.TryGetValue(length, out var queue) && queue.TryDequeue(out var buffer) ? buffer : new float[length];

    /// <summary>
    /// Gives a buffer back. Only when nothing else can still read it: after a grain call that completed (a call that timed
    /// out may still run later, so its buffer is dropped instead).
    /// </summary>
    public void Return(float[] buffer)
    {
        var queue = _free.GetOrAdd(buffer.Length, _ => new ConcurrentQueue<float[]>());
        if (queue.Count < MaxRetainedPerLength)
        {
            queue.Enqueue(buffer);
        }
    }
}
