using FedLearn.Benchmarks.Training;
using FedLearn.Training;
using FedLearn.Training.Tests;

namespace FedLearn.Benchmarks.Tests;

public sealed class TrainingBenchmarkTests
{
    [Fact]
    public void Run_Dp_ReportsBothModesOnASmallIdxDataset()
    {
        using var directory = new TempDirectory();
        var data = SyntheticData.Blobs(count: 300, features: 784, classes: 10, seed: 3, spread: 0.1);
        var clamped = new Dataset([.. data.Features.Select(f => Math.Clamp(f, 0f, 1f))], data.Labels, 784, 10);
        IdxDatasetLoader.Write(clamped, directory.File("train-images-idx3-ubyte"), directory.File("train-labels-idx1-ubyte"));

        var result = TrainingBenchmark.Run(
            dp: true,
            new TrainingBenchmarkOptions(directory.Path, BatchSize: 32, Repetitions: 3),
            TestContext.Current.CancellationToken);

        Assert.Equal("mlp 784-256-10 relu", result.Model);
        Assert.Equal(300, result.Examples);
        Assert.Equal(3, result.NonPrivate.ExamplesPerSecondRuns.Count);
        Assert.Equal(3, result.Dp!.ExamplesPerSecondRuns.Count);
        Assert.Contains(result.NonPrivate.MedianExamplesPerSecond, result.NonPrivate.ExamplesPerSecondRuns);
        Assert.True(result.Dp.MedianExamplesPerSecond > 0 && result.NoiseMillisecondsPerStep > 0);
        Assert.Equal(result.Dp.MedianStepMilliseconds / result.NonPrivate.MedianStepMilliseconds, result.DpStepOverNonPrivateStep);
    }

    [Fact]
    public void Run_NonPrivateOnly_LeavesDpFieldsEmpty()
    {
        using var directory = new TempDirectory();
        var data = SyntheticData.Blobs(count: 64, features: 784, classes: 10, seed: 4, spread: 0.1);
        var clamped = new Dataset([.. data.Features.Select(f => Math.Clamp(f, 0f, 1f))], data.Labels, 784, 10);
        IdxDatasetLoader.Write(clamped, directory.File("train-images-idx3-ubyte"), directory.File("train-labels-idx1-ubyte"));

        var result = TrainingBenchmark.Run(dp: false, new TrainingBenchmarkOptions(directory.Path, BatchSize: 16, Repetitions: 1), TestContext.Current.CancellationToken);

        Assert.Null(result.Dp);
        Assert.Null(result.NoiseMillisecondsPerStep);
        Assert.Null(result.DpStepOverNonPrivateStep);
    }
}
