namespace FedLearn.Benchmarks.Training;

/// <param name="NoiseMillisecondsPerStep">Median time of one step's CSPRNG noise (one normal per parameter); DP only.</param>
/// <param name="DpStepOverNonPrivateStep">Median DP step time / median non-private step time; DP only.</param>
public sealed record TrainingBenchmarkResult(
    string Model,
    int Examples,
    int BatchSize,
    int Repetitions,
    TrainingThroughput NonPrivate,
    TrainingThroughput? Dp,
    double? NoiseMillisecondsPerStep,
    double? DpStepOverNonPrivateStep);
