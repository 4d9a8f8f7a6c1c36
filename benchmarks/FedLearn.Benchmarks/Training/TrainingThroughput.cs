namespace FedLearn.Benchmarks.Training;

/// <summary>Medians over the timed epochs of one mode, plus every run's examples/s so the spread is visible.</summary>
public sealed record TrainingThroughput(
    string Mode,
    double MedianExamplesPerSecond,
    double MedianStepMilliseconds,
    IReadOnlyList<double> ExamplesPerSecondRuns);
