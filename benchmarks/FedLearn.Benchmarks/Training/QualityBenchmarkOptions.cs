using FedLearn.Privacy;
using FedLearn.Training;

namespace FedLearn.Benchmarks.Training;

/// <summary>
/// Settings of <see cref="QualityBenchmark"/>: one participant holding the whole IDX training split of
/// <see cref="DataDirectory"/> trains MLP 784-<see cref="Hidden"/>-10 and is scored on the t10k split.
/// With <see cref="Dp"/>, <see cref="BatchSize"/> is DP-SGD's expected (Poisson) batch size and σ is calibrated so that
/// the planned <see cref="Epochs"/> × ⌈N/B⌉ steps at q = B/N meet (<see cref="TargetEpsilon"/>, <see cref="Delta"/>)
/// under <see cref="Accountant"/>. <see cref="Seed"/> fixes only the (public) initial weights: batches and noise come
/// from the CSPRNG, so accuracies vary a little from run to run.
/// </summary>
public sealed record QualityBenchmarkOptions(
    bool Dp,
    int Epochs,
    int BatchSize,
    double LearningRate,
    double ClipNorm,
    int Hidden,
    string Activation,
    long Seed,
    LearningRateSchedule Schedule = LearningRateSchedule.Cosine,
    double TargetEpsilon = 3.0,
    double Delta = 1e-5,
    AccountantKind Accountant = AccountantKind.Rdp,
    string DataDirectory = TrainingBenchmarkOptions.FashionMnistDirectory)
{
    /// <summary>Tuned to reach ≥ 88% test accuracy on Fashion-MNIST (docs/benchmarks.md, "Model quality").</summary>
    public static QualityBenchmarkOptions NonPrivate { get; } =
        new(Dp: false, Epochs: 30, BatchSize: 64, LearningRate: 0.2, ClipNorm: 1.0, Hidden: 256, Activation: "relu", Seed: 1);

    /// <summary>Tuned to reach ≥ 80% test accuracy at ε ≤ 3, δ = 1e-5 (docs/benchmarks.md, "Model quality").</summary>
    public static QualityBenchmarkOptions Private { get; } =
        new(Dp: true, Epochs: 40, BatchSize: 1024, LearningRate: 4.0, ClipNorm: 1.0, Hidden: 256, Activation: "tanh", Seed: 1);

    public static QualityBenchmarkOptions Defaults(bool dp) => dp ? Private : NonPrivate;

    /// <summary>The learning rate of epoch <paramref name="epoch"/> (0-based) under <see cref="Schedule"/>.</summary>
    public double LearningRateAt(int epoch) => Schedule switch
    {
        LearningRateSchedule.Constant => LearningRate,
        LearningRateSchedule.Cosine => LearningRate * (1 + Math.Cos(Math.PI * epoch / Epochs)) / 2,
        _ => throw new InvalidOperationException($"Unknown learning-rate schedule {Schedule}."),
    };

    public ModelSpec Model => ModelSpec.Parse("mlp", 784, 10, [Hidden], Activation);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        new TrainingOptions(Epochs, BatchSize, LearningRate).Validate();
        Model.Validate();
        if (Dp)
        {
            new DpSgdOptions(Epochs, BatchSize, LearningRate, ClipNorm, 1.0).Validate();
            if (!(TargetEpsilon > 0) || !double.IsFinite(TargetEpsilon))
            {
                throw new ArgumentException($"TargetEpsilon must be a finite number > 0, got {TargetEpsilon}.", nameof(TargetEpsilon));
            }

            if (!(Delta > 0 && Delta < 1))
            {
                throw new ArgumentException($"Delta must be in (0, 1), got {Delta}.", nameof(Delta));
            }
        }
    }
}
