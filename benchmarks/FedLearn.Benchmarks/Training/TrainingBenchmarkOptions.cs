namespace FedLearn.Benchmarks.Training;

/// <summary>
/// Settings of <see cref="TrainingBenchmark"/>: one epoch of MLP 784-256-10 (ReLU) per timed run on the IDX training
/// split found in <see cref="DataDirectory"/>. DP-SGD uses <see cref="BatchSize"/> as its expected (Poisson) batch size.
/// </summary>
public sealed record TrainingBenchmarkOptions(
    string DataDirectory = TrainingBenchmarkOptions.FashionMnistDirectory,
    int BatchSize = 256,
    int Repetitions = 5,
    double LearningRate = 0.05,
    double ClipNorm = 1.0,
    double NoiseMultiplier = 1.0,
    int IntraOpThreads = 1)
{
    public const string FashionMnistDirectory = "/usr/share/datasets/fashion-mnist";
}
