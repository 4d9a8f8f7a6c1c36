namespace FedLearn.Benchmarks.Training;

/// <summary>Test-set figures after epoch <see cref="Epoch"/> (1-based) of a <see cref="QualityBenchmark"/> run.</summary>
public sealed record QualityEpoch(int Epoch, double TestAccuracy, double TestLoss, int Steps, double Seconds);
