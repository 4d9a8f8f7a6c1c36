using FedLearn.Benchmarks.SecAgg;

namespace FedLearn.Benchmarks.Tests;

/// <summary>
/// A small run checks the benchmark's own bookkeeping in the normal suite. The reference round is a benchmark, not a
/// timed test: <c>fedlearn-bench secagg --participants 1000 --dimension 1048576 --dropout 0.05 --neighbors 30</c>
/// (docs/benchmarks.md, "Secure aggregation").
/// </summary>
public sealed class SecAggBenchmarkTests
{
    [Fact]
    public void Run_SmallRoundWithDropouts_SumMatchesPlainSum()
    {
        var report = SecAggBenchmark.Run(participants: 24, dimension: 300, dropout: 0.1, neighbors: 8);
        Assert.True(report.SumMatchesPlainSum);
        Assert.Equal(2, report.Dropped);
        Assert.Contains("\"sum_matches_plain_sum\": true", report.ToJson());
    }
}
