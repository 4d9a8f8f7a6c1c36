using System.Collections.Concurrent;
using Grpc.Core;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>What the simulated participants saw, per round: tasks, downloads, accepted uploads and failures by kind.</summary>
internal sealed class BenchStats
{
    private readonly ConcurrentDictionary<int, RoundCounters> _rounds = new();
    private readonly ConcurrentDictionary<string, int> _streamEnds = new();

    public RoundCounters Round(int round) => _rounds.GetOrAdd(round, _ => new RoundCounters());

    public void TaskReceived(int round)
    {
        var counters = Round(round);
        var now = DateTimeOffset.UtcNow.UtcTicks;
        Interlocked.CompareExchange(ref counters.FirstTaskTicks, now, 0);
        Interlocked.Increment(ref counters.Tasks);
    }

    public void Downloaded(int round) => Interlocked.Increment(ref Round(round).Downloads);

    public void Uploaded(int round)
    {
        var counters = Round(round);
        Interlocked.Increment(ref counters.Accepted);
        Interlocked.Exchange(ref counters.LastAcceptedTicks, Math.Max(Interlocked.Read(ref counters.LastAcceptedTicks), DateTimeOffset.UtcNow.UtcTicks));
    }

    public void Failed(int round, string stage, string what)
    {
        // Messages can carry ids; keep the kind (stage and status) plus the first message seen of each kind.
        var kind = stage + " " + what.Split(':')[0];
        Round(round).Failures.AddOrUpdate(kind, _ => (1, what), (_, v) => (v.Count + 1, v.Example));
    }

    public void WorkStreamEnded(Status? status) =>
        _streamEnds.AddOrUpdate(status is { } s ? $"{s.StatusCode}: {s.Detail}" : "ended by the coordinator", 1, (_, n) => n + 1);

    public IReadOnlyDictionary<string, int> StreamEnds => _streamEnds;

    internal sealed class RoundCounters
    {
        public long FirstTaskTicks;
        public long LastAcceptedTicks;
        public int Tasks;
        public int Downloads;
        public int Accepted;
        public readonly ConcurrentDictionary<string, (int Count, string Example)> Failures = new();
    }
}
