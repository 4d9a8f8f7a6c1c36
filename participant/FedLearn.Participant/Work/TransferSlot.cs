namespace FedLearn.Participant.Work;

/// <summary>
/// A task's lease on a transfer slot of <see cref="RoundResources"/>: the global model as downloaded, the local copy that
/// training changes, and the update. Disposing returns the buffers (their contents are overwritten by the next task)
/// and the slot; release it once nothing model-sized is still needed.
/// </summary>
public sealed class TransferSlot : IDisposable
{
    private readonly RoundResources _owner;
    private bool _released;

    internal TransferSlot(RoundResources owner, float[] global, float[] local, float[] update)
    {
        _owner = owner;
        Global = global;
        Local = local;
        Update = update;
    }

    public float[] Global { get; }

    public float[] Local { get; }

    public float[] Update { get; }

    public void Dispose()
    {
        if (!_released)
        {
            _released = true;
            _owner.Release(this);
        }
    }
}
