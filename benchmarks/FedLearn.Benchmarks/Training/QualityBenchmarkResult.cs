namespace FedLearn.Benchmarks.Training;

/// <summary>
/// Outcome of <see cref="QualityBenchmark.Run"/>. For DP runs <see cref="NoiseMultiplier"/> is the calibrated σ and
/// <see cref="EpsilonRdp"/> / <see cref="EpsilonPld"/> are recomputed from the <see cref="Steps"/> actually taken at
/// <see cref="SamplingRate"/>; for non-private runs all four are null.
/// </summary>
public sealed record QualityBenchmarkResult(
    QualityBenchmarkOptions Options,
    string Model,
    int TrainExamples,
    int TestExamples,
    int Steps,
    double? SamplingRate,
    double? NoiseMultiplier,
    double? EpsilonRdp,
    double? EpsilonPld,
    double TestAccuracy,
    double TestLoss,
    double Seconds,
    IReadOnlyList<QualityEpoch> Epochs);
