using FedLearn.Privacy;
using FedLearn.Privacy.Noise;

namespace FedLearn.Training.Tests;

public sealed class DpSgdTrainerTests
{
    [Theory]
    [InlineData("softmax", "relu")]
    [InlineData("mlp", "relu")]
    [InlineData("mlp", "tanh")]
    public void Train_SeparableDataWithNoise_Learns(string kind, string activation)
    {
        var data = SyntheticData.Blobs(count: 1000, features: 8, classes: 3, seed: 21);
        var spec = ModelSpec.Parse(kind, 8, 3, kind == "mlp" ? [16] : [], activation);
        var weights = ModelInitializer.Initialize(spec, seed: 1);
        using var evaluator = new ModelEvaluator(spec);
        var before = evaluator.Evaluate(weights, data);
        using var trainer = new DpSgdTrainer(spec);

        var result = trainer.Train(
            weights,
            data,
            new DpSgdOptions(Epochs: 10, ExpectedBatchSize: 100, LearningRate: 0.5, ClipNorm: 1.0, NoiseMultiplier: 1.0),
            ct: TestContext.Current.CancellationToken);

        var after = evaluator.Evaluate(weights, data);
        Assert.True(after.Accuracy > 0.9, $"accuracy {before.Accuracy} -> {after.Accuracy}");
        Assert.True(after.Loss < before.Loss / 2, $"loss {before.Loss} -> {after.Loss}");
        Assert.Equal(100, result.Steps);
        Assert.Equal(0.1, result.SamplingRate);
        Assert.InRange(result.ExamplesSeen, 9000, 11000); // Poisson: mean 10000, sd ≈ 95
    }

    [Fact]
    public void Train_TinySamplingRate_TakesNoiseOnlyStepsOnEmptyBatches()
    {
        var data = SyntheticData.Blobs(count: 10, features: 3, classes: 2, seed: 2);
        var spec = ModelSpec.Parse("softmax", 3, 2, [], "relu");
        var weights = ModelInitializer.Initialize(spec, seed: 3);
        var start = weights.ToArray();
        using var trainer = new DpSgdTrainer(spec);

        // q = 0.1 and N = 10: a batch is empty with probability 0.9^10 ≈ 0.35, so 50 steps all but surely have some.
        var result = trainer.Train(
            weights, data, new DpSgdOptions(5, 1, 0.1, 1.0, 1.0), ct: TestContext.Current.CancellationToken);

        Assert.Equal(50, result.Steps);
        Assert.InRange(result.EmptyBatches, 1, 49);
        Assert.All(weights, w => Assert.True(float.IsFinite(w)));
        Assert.NotEqual(start, weights);
    }

    [Fact]
    public void Train_SingleNoisyStep_MovesWeightsByNoiseOfTheRightScale()
    {
        // Zero learning signal (C tiny) leaves the step as pure noise: lr · σΔ / (qN) per coordinate, Δ = C + γ√d the
        // sensitivity after snapping to the grid (at σ = 10^5 the grid is coarsened, so Δ is visibly above C).
        var data = SyntheticData.Blobs(count: 200, features: 50, classes: 4, seed: 5);
        var spec = ModelSpec.Parse("softmax", 50, 4, [], "relu");
        var weights = ModelInitializer.Initialize(spec, seed: 6);
        var start = weights.ToArray();
        using var trainer = new DpSgdTrainer(spec);

        trainer.Train(weights, data, new DpSgdOptions(1, 200, 1.0, 1e-6, 1e5), ct: TestContext.Current.CancellationToken);

        var expectedStd = 1e5 * GridGaussianMechanism.ChargedSensitivity(1e-6, 1e5, weights.Length) / 200;
        var deviations = weights.Zip(start, (w, s) => (double)(w - s)).ToArray();
        var std = Math.Sqrt(deviations.Sum(d => d * d) / deviations.Length);
        Assert.InRange(std, 0.9 * expectedStd, 1.1 * expectedStd); // 204 coordinates: sd of the estimate ≈ 5%
    }

    [Fact]
    public void Clipping_DoesNotDependOnTheRealisedBatchSize_AndSkipsBatchesAboveBMax()
    {
        // review-10 S9: c is sized once for B_max, so two batches of different sizes clip to the same c.
        int[] layers = [784, 256, 10];
        var clipping = DpSgdClipping.For(1.0, layers, 60000, 64.0 / 60000, BatchSizeBound.TailProbability);

        Assert.Equal(BatchSizeBound.Maximum(60000, 64.0 / 60000, BatchSizeBound.TailProbability), clipping.MaxBatchSize);
        Assert.Equal(RoundingMargins.Float32GhostClipNorm(1.0, layers, clipping.MaxBatchSize), clipping.ClipNorm);
        Assert.Equal(clipping.ClipFor(1), clipping.ClipFor(64));
        Assert.Equal(clipping.ClipFor(64), clipping.ClipFor(clipping.MaxBatchSize));
        Assert.Null(clipping.ClipFor(clipping.MaxBatchSize + 1));
        Assert.True(clipping.ClipNorm < RoundingMargins.Float32GhostClipNorm(1.0, layers, 64)); // the price: a smaller c
    }

    [Fact]
    public void Train_BatchAboveBMax_IsSkippedButCountedAsAStep()
    {
        // q = 1: every batch holds all 20 records; with B_max forced to 19 every step is skipped, releasing nothing.
        var data = SyntheticData.Blobs(count: 20, features: 3, classes: 2, seed: 8);
        var spec = ModelSpec.Parse("softmax", 3, 2, [], "relu");
        var weights = ModelInitializer.Initialize(spec, seed: 9);
        var start = weights.ToArray();
        var options = new DpSgdOptions(3, 20, 0.5, 1.0, 1.0);
        using var trainer = new DpSgdTrainer(spec);

        var skipped = trainer.Train(weights, data, options, DpSgdClipping.ForMaxBatch(1.0, spec.LayerSizes, 19), null,
            TestContext.Current.CancellationToken);

        Assert.Equal(3, skipped.Steps);
        Assert.Equal(3, skipped.SkippedBatches);
        Assert.Equal(0, skipped.ExamplesSeen);
        Assert.Equal(start, weights);

        var taken = trainer.Train(weights, data, options, DpSgdClipping.ForMaxBatch(1.0, spec.LayerSizes, 20), null,
            TestContext.Current.CancellationToken);

        Assert.Equal(3, taken.Steps);
        Assert.Equal(0, taken.SkippedBatches);
        Assert.Equal(60, taken.ExamplesSeen);
        Assert.NotEqual(start, weights);
    }

    [Fact]
    public void DpSgdAccounting_Epsilon_IsTheAccountantsEpsilonForTheRun()
    {
        var result = new DpTrainingResult(0.5, 0.9, 60_000, 2_000, 0, 256.0 / 60_000, 1.1);

        var epsilon = DpSgdAccounting.Epsilon(result, 1e-5);
        var longer = DpSgdAccounting.Epsilon(result with { Steps = 4_000 }, 1e-5);

        var expected = new RdpAccountant().GetEpsilon([new SubsampledGaussianStep(256.0 / 60_000, 1.1, 2_000)], 1e-5);
        Assert.Equal(expected, epsilon);
        Assert.True(longer > epsilon);
        Assert.Equal(new SubsampledGaussianStep(0.01, 2.0, 7), DpSgdAccounting.Steps(0.01, 2.0, 7));
        Assert.Equal(0, DpSgdAccounting.Epsilon(result with { Steps = 0 }, 1e-5));
    }

    [Theory]
    [InlineData(0, 10, 0.1, 1.0, 1.0, "Epochs")]
    [InlineData(1, 10, 0.1, 0.0, 1.0, "ClipNorm")]
    [InlineData(1, 10, 0.1, 1.0, 0.0, "NoiseMultiplier")]
    [InlineData(1, 10, 0.1, double.NaN, 1.0, "ClipNorm")]
    public void DpSgdOptions_Invalid_ThrowsNamingTheSetting(int epochs, int batch, double lr, double clip, double sigma, string name)
    {
        var error = Assert.Throws<ArgumentException>(() => new DpSgdOptions(epochs, batch, lr, clip, sigma).Validate());

        Assert.Equal(name, error.ParamName);
    }
}
