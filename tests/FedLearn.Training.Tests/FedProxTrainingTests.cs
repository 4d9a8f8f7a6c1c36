namespace FedLearn.Training.Tests;

/// <summary>FedProx's local objective L(w) + μ/2·‖w − w⁰‖² (Li et al. 2020, eq. 2) in the non-private trainer.</summary>
public sealed class FedProxTrainingTests
{
    [Fact]
    public void Train_WithProximalMu_TakesTheProximalGradientStep()
    {
        // Full-batch steps are deterministic (the shuffle only permutes the batch). Step 1 starts at w⁰, where the proximal
        // gradient is 0: w¹ = w⁰ − lr·∇L(w⁰). Step 2: w² = w¹ − lr·(∇L(w¹) + μ·(w¹ − w⁰)).
        const float lr = 0.5f, mu = 0.8f;
        var data = SyntheticData.Blobs(count: 6, features: 4, classes: 2, seed: 9);
        var spec = ModelSpec.Parse("mlp", 4, 2, [3], "tanh");
        var w0 = ModelInitializer.Initialize(spec, seed: 4);
        using var trainer = new LocalTrainer(spec);
        var labels = ReferenceModel.OneHot(data.Labels, 2);
        var gradient = new float[spec.ParameterCount];
        trainer.ComputeGradients(w0, data.Features, labels, data.Count, gradient, out _);
        var w1 = w0.Select((w, i) => w - (lr * gradient[i])).ToArray();
        trainer.ComputeGradients(w1, data.Features, labels, data.Count, gradient, out _);
        var expected = w1.Select((w, i) => w - (lr * (gradient[i] + (mu * (w - w0[i]))))).ToArray();
        var weights = w0.ToArray();

        trainer.Train(weights, data, new TrainingOptions(Epochs: 2, BatchSize: 6, LearningRate: lr, ProximalMu: mu), ct: TestContext.Current.CancellationToken);

        for (var i = 0; i < weights.Length; i++)
        {
            Assert.Equal(expected[i], weights[i], 1e-5f);
        }
        // And the term made a difference: plain SGD's second step differs by lr·μ·(w¹ − w⁰).
        Assert.Contains(weights.Select((w, i) => Math.Abs(w - (w1[i] - (lr * gradient[i])))), d => d > 1e-3);
    }

    [Fact]
    public void Train_WithLargeProximalMu_StaysCloserToTheGlobalModel()
    {
        var data = SyntheticData.Blobs(count: 200, features: 8, classes: 3, seed: 5);
        var spec = ModelSpec.Parse("softmax", 8, 3, [], "relu");
        var w0 = ModelInitializer.Initialize(spec, seed: 2);
        using var trainer = new LocalTrainer(spec);
        var plain = w0.ToArray();
        var proximal = w0.ToArray();

        trainer.Train(plain, data, new TrainingOptions(3, 20, 0.2), ct: TestContext.Current.CancellationToken);
        trainer.Train(proximal, data, new TrainingOptions(3, 20, 0.2, ProximalMu: 4.0), ct: TestContext.Current.CancellationToken);

        // μ·lr = 0.8 pulls 80% of the way back to w⁰ every step: the drift is a fraction of plain SGD's.
        Assert.True(Distance(proximal, w0) < 0.5 * Distance(plain, w0), $"{Distance(proximal, w0)} vs {Distance(plain, w0)}");
    }

    [Theory]
    [InlineData(-0.1, 0.1)]
    [InlineData(double.NaN, 0.1)]
    [InlineData(double.PositiveInfinity, 0.1)]
    [InlineData(10.0, 0.1)]
    public void Validate_BadProximalMu_ThrowsNamingIt(double mu, double learningRate)
    {
        var error = Assert.Throws<ArgumentException>(() => new TrainingOptions(1, 8, learningRate, mu).Validate());

        Assert.Equal(nameof(TrainingOptions.ProximalMu), error.ParamName);
    }

    [Fact]
    public void AddGradient_AddsMuTimesTheDistanceToTheAnchor()
    {
        float[] gradient = [1f, -1f, 0f];

        ProximalTerm.AddGradient(gradient, [2f, 0f, -1f], [1f, 1f, -1f], 0.5f);

        Assert.Equal([1.5f, -1.5f, 0f], gradient);
    }

    private static double Distance(float[] a, float[] b) => Math.Sqrt(a.Zip(b, (x, y) => (double)(x - y) * (x - y)).Sum());
}
