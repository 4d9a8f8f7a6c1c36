namespace FedLearn.Participant.Work;

/// <summary>What the participants sharing one <see cref="RoundResources"/> did, counted as it happens (thread-safe).</summary>
public sealed class RoundTally
{
    private long _connected;
    private long _tasks;
    private long _accepted;
    private long _refused;
    private long _declined;
    private long _failed;

    /// <summary>Work streams open now.</summary>
    public long Connected => Interlocked.Read(ref _connected);

    /// <summary>Round tasks received.</summary>
    public long Tasks => Interlocked.Read(ref _tasks);

    /// <summary>Updates (or masked inputs) the coordinator accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Updates the coordinator refused (too late, round closed, …).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Tasks declined before training by the local privacy policy or accounting.</summary>
    public long Declined => Interlocked.Read(ref _declined);

    /// <summary>Tasks that ended in an error before an upload was accepted or refused.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    internal void StreamOpened() => Interlocked.Increment(ref _connected);

    internal void StreamClosed() => Interlocked.Decrement(ref _connected);

    internal void TaskReceived() => Interlocked.Increment(ref _tasks);

    internal void UpdateAnswered(bool accepted) => Interlocked.Increment(ref accepted ? ref _accepted : ref _refused);

    internal void TaskDeclined() => Interlocked.Increment(ref _declined);

    internal void TaskFailed() => Interlocked.Increment(ref _failed);
}
