using FedLearn.Benchmarks.Training;
using FedLearn.Privacy;
using FedLearn.Training;
using FedLearn.Training.Tests;

namespace FedLearn.Benchmarks.Tests;

public sealed class QualityBenchmarkTests
{
    [Fact]
    public void Run_DpOnSmallIdxSplits_SpendsTheCalibratedEpsilonAndLearns()
    {
        using var directory = new TempDirectory();
        var data = Clamped(SyntheticData.Blobs(count: 2500, features: 784, classes: 10, seed: 7, spread: 0.1));
        IdxDatasetLoader.Write(
            data.Subset([.. Enumerable.Range(0, 2000)]), directory.File("train-images-idx3-ubyte"), directory.File("train-labels-idx1-ubyte"));
        IdxDatasetLoader.Write(
            data.Subset([.. Enumerable.Range(2000, 500)]), directory.File("t10k-images-idx3-ubyte"), directory.File("t10k-labels-idx1-ubyte"));
        var options = QualityBenchmarkOptions.Private with { Epochs = 2, BatchSize = 200, DataDirectory = directory.Path };
        var epochs = new List<QualityEpoch>();

        var result = QualityBenchmark.Run(options, new InlineProgress(epochs.Add), TestContext.Current.CancellationToken);

        Assert.Equal((2000, 500), (result.TrainExamples, result.TestExamples));
        Assert.Equal(2 * 10, result.Steps);
        Assert.Equal(0.1, result.SamplingRate);
        Assert.InRange(result.EpsilonRdp!.Value, 2.99, 3.0);
        Assert.InRange(result.EpsilonPld!.Value, 0.5, result.EpsilonRdp.Value);
        Assert.Equal([1, 2], epochs.Select(e => e.Epoch));
        Assert.Equal([10, 20], epochs.Select(e => e.Steps));
        Assert.Equal(epochs[^1].TestAccuracy, result.TestAccuracy);
        Assert.True(result.TestAccuracy > 0.5, $"test accuracy {result.TestAccuracy}");
    }

    [Fact]
    public void Run_NonPrivate_LearnsAndReportsNoPrivacyFigures()
    {
        var data = SyntheticData.Blobs(count: 2500, features: 784, classes: 10, seed: 8, spread: 0.1);
        var options = QualityBenchmarkOptions.NonPrivate with { Epochs = 1, Hidden = 32 };

        var result = QualityBenchmark.Run(
            options, data.Subset([.. Enumerable.Range(0, 2000)]), data.Subset([.. Enumerable.Range(2000, 500)]),
            ct: TestContext.Current.CancellationToken);

        Assert.Equal("mlp 784-32-10 relu", result.Model);
        Assert.Equal(2000 / 64 + 1, result.Steps);
        Assert.True(result.TestAccuracy > 0.9, $"test accuracy {result.TestAccuracy}");
        Assert.Null(result.NoiseMultiplier);
        Assert.Null(result.EpsilonRdp);
        Assert.Null(result.EpsilonPld);
        Assert.Single(result.Epochs);
    }

    [Theory]
    [InlineData(AccountantKind.Rdp)]
    [InlineData(AccountantKind.Pld)]
    public void CalibrateNoiseMultiplier_TunedDpDefaultsOnFashionMnist_MeetTargetWithNoSlack(AccountantKind accountant)
    {
        var options = QualityBenchmarkOptions.Private with { Accountant = accountant };
        var plan = new DpSgdOptions(options.Epochs, options.BatchSize, options.LearningRate, options.ClipNorm, 1.0);
        var (q, steps) = (plan.SamplingRate(60_000), options.Epochs * plan.StepsPerEpoch(60_000));

        var sigma = QualityBenchmark.CalibrateNoiseMultiplier(options, 60_000);

        double Epsilon(double z) => Accountants.Create(accountant).GetEpsilon([new SubsampledGaussianStep(q, z, steps)], options.Delta);
        Assert.True(Epsilon(sigma) <= options.TargetEpsilon, $"sigma {sigma}: epsilon {Epsilon(sigma)}");
        Assert.True(Epsilon(sigma * 0.99) > options.TargetEpsilon, $"sigma {sigma} is more noise than the target needs");
    }

    [Fact]
    public void LearningRateAt_Cosine_AnnealsFromTheBaseRateAndStaysPositive()
    {
        var options = QualityBenchmarkOptions.Private with { Epochs = 4, LearningRate = 2.0 };

        var rates = Enumerable.Range(0, 4).Select(options.LearningRateAt).ToArray();

        Assert.Equal([2.0, 1.0 + Math.Sqrt(0.5), 1.0, 1.0 - Math.Sqrt(0.5)], rates, (a, b) => Math.Abs(a - b) < 1e-12);
        Assert.All(Enumerable.Range(0, 4).Select((options with { Schedule = LearningRateSchedule.Constant }).LearningRateAt), r => Assert.Equal(2.0, r));
    }

    [Fact]
    public void Validate_DpWithNonPositiveTargetEpsilon_Throws()
    {
        var options = QualityBenchmarkOptions.Private with { TargetEpsilon = 0 };

        var error = Assert.Throws<ArgumentException>(options.Validate);

        Assert.Equal(nameof(QualityBenchmarkOptions.TargetEpsilon), error.ParamName);
    }

    private static Dataset Clamped(Dataset data) =>
        new([.. data.Features.Select(f => Math.Clamp(f, 0f, 1f))], data.Labels, data.FeatureSize, data.NumClasses);

    private sealed class InlineProgress(Action<QualityEpoch> report) : IProgress<QualityEpoch>
    {
        public void Report(QualityEpoch value) => report(value);
    }
}
