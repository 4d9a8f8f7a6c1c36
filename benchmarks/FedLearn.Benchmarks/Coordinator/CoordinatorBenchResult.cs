using System.Text;
using System.Text.Json;
using static FedLearn.Benchmarks.Coordinator.Stats;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>One committed round as the coordinator recorded it and the participants saw it.</summary>
/// <param name="WallSeconds">From the previous round's commit (the session's start for round 1) to this one's: the round's share of the session's time.</param>
/// <param name="OpenToCommitSeconds">From the attempt opening to its commit.</param>
/// <param name="CpuSeconds">The coordinator process's CPU (user + system, all cores) over <paramref name="WallSeconds"/>.</param>
internal sealed record CoordinatorRound(
    int Round, int Attempt, double WallSeconds, double OpenToCommitSeconds, double CpuSeconds, int Selected, int Aggregated, int Downloads, int Accepted);

internal sealed record CoordinatorRun(
    string FinalState, string Message, IReadOnlyList<CoordinatorRound> Rounds, double CpuSeconds, long ResidentConnected, long ResidentEnd,
    long PeakResident, IReadOnlyList<string> Failures, IReadOnlyList<string> StreamEnds, IReadOnlyList<string> AdminErrors);

internal sealed record FloorRound(int Round, double WallSeconds, double CpuSeconds, int Accepted);

internal sealed record FloorRun(IReadOnlyList<FloorRound> Rounds, long PeakResident);

internal sealed record CoordinatorBenchResult(CoordinatorBenchOptions Options, int Cores, CoordinatorRun Coordinator, FloorRun? Floor, double SumSeconds)
{
    /// <summary>Updates selected but not aggregated, over every committed round and every round that never committed.</summary>
    public int Lost =>
        Coordinator.Rounds.Sum(r => r.Selected - r.Aggregated) + ((Options.Rounds - Coordinator.Rounds.Count) * Options.PerRound);

    public IReadOnlyList<string> Failures => Coordinator.Failures;

    /// <summary>Round 1 includes the first activation of everything (JIT, grains); the medians are over the later rounds when there are any.</summary>
    private IEnumerable<CoordinatorRound> Steady => Coordinator.Rounds.Count > 1 ? Coordinator.Rounds.Skip(1) : Coordinator.Rounds;

    public double MedianWall => Median(Steady.Select(r => r.WallSeconds));

    public double MedianCpu => Median(Steady.Select(r => r.CpuSeconds));

    public double FloorWall => Floor is null ? double.NaN : Median(Floor.Rounds.Select(r => r.WallSeconds));

    public double FloorCpu => Floor is null ? double.NaN : Median(Floor.Rounds.Select(r => r.CpuSeconds));

    public string ToText()
    {
        var o = Options;
        var text = new StringBuilder();
        text.AppendLine($"Coordinator data path: {o.Participants} participants connected, {o.PerRound} per round, {o.Rounds} plain rounds, MLP 784-256-10 ({CoordinatorBenchmark.DemoParameters:N0} parameters), {Cores} cores");
        text.AppendLine($"Session: {Coordinator.FinalState} {Coordinator.Message}");
        text.AppendLine("round  attempt  wall s  open→commit s  coordinator CPU s  selected  aggregated  downloads  accepted");
        foreach (var r in Coordinator.Rounds)
        {
            text.AppendLine($"{r.Round,5}  {r.Attempt,7}  {F(r.WallSeconds),6}  {F(r.OpenToCommitSeconds),13}  {F(r.CpuSeconds),17}  {r.Selected,8}  {r.Aggregated,10}  {r.Downloads,9}  {r.Accepted,8}");
        }
        text.AppendLine($"median round (rounds 2..): wall {F(MedianWall)} s, coordinator CPU {F(MedianCpu)} s; whole session CPU {F(Coordinator.CpuSeconds)} s");
        text.AppendLine($"coordinator memory: resident {Mb(Coordinator.ResidentConnected)} MB with everyone connected, {Mb(Coordinator.ResidentEnd)} MB at the end, peak {Mb(Coordinator.PeakResident)} MB");
        text.AppendLine($"updates lost: {Lost}");
        foreach (var failure in Coordinator.Failures)
        {
            text.AppendLine($"  participant saw: {failure}");
        }
        foreach (var error in Coordinator.AdminErrors)
        {
            text.AppendLine($"  admin status stream failed: {error}");
        }
        foreach (var end in Coordinator.StreamEnds)
        {
            text.AppendLine($"  work streams ended: {end}");
        }
        if (Floor is { } floor)
        {
            text.AppendLine($"floor (bare gRPC server, same transport, {o.PerRound} participants): median round wall {F(FloorWall)} s, server CPU {F(FloorCpu)} s, peak {Mb(floor.PeakResident)} MB; rounds: {string.Join(", ", floor.Rounds.Select(r => $"{F(r.WallSeconds)} s/{F(r.CpuSeconds)} CPU-s"))}");
            text.AppendLine($"coordinator / floor: wall {F(MedianWall / FloorWall, "0.00")}×, CPU {F(MedianCpu / FloorCpu, "0.00")}×");
        }
        text.AppendLine($"summing {o.PerRound} updates in memory (one thread, double accumulator): {F(SumSeconds * 1000, "0.0")} ms");
        return text.ToString();
    }

    public string ToJson() => JsonSerializer.Serialize(new
    {
        participants = Options.Participants,
        per_round = Options.PerRound,
        rounds = Options.Rounds,
        cores = Cores,
        state = Coordinator.FinalState,
        median_round_wall_seconds = MedianWall,
        median_round_cpu_seconds = MedianCpu,
        session_cpu_seconds = Coordinator.CpuSeconds,
        resident_connected_bytes = Coordinator.ResidentConnected,
        resident_end_bytes = Coordinator.ResidentEnd,
        peak_resident_bytes = Coordinator.PeakResident,
        lost = Lost,
        failures = Coordinator.Failures,
        work_stream_ends = Coordinator.StreamEnds,
        admin_errors = Coordinator.AdminErrors,
        round_details = Coordinator.Rounds,
        floor_round_wall_seconds = FloorWall,
        floor_round_cpu_seconds = FloorCpu,
        floor_rounds = Floor?.Rounds,
        sum_seconds = SumSeconds,
    });

    private static string Mb(long bytes) => F(bytes / 1048576.0, "0");
}
