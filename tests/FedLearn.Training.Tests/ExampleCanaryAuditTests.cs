using FedLearn.Privacy;

namespace FedLearn.Training.Tests;

/// <summary>
/// The example-level one-run audit on the real DP-SGD trainer (ONNX Runtime): with almost no noise the included canaries
/// are told apart from the excluded ones (which stay in the dataset as zero-out neighbours) and ε_lower is well above 0;
/// with the noise of a small ε the canaries are not distinguishable beyond what ε allows.
/// </summary>
public sealed class ExampleCanaryAuditTests
{
    // Softmax regression over 400 features, the last 200 always 0 in the real records (like an image's empty border): the
    // canaries go into 50 of those, where only they move the weights.
    private static readonly ModelSpec Spec = ModelSpec.Parse("softmax", 400, 10, [], null);

    [Fact]
    public void NearlyNoNoise_CanariesAreDistinguished_AndEpsilonLowerIsFarAboveZero()
    {
        var result = Audit(noiseMultiplier: 0.05, confidence: 0.95);

        // 40 guesses; well above chance (20), which is what a trainer that also trained on the excluded canaries would get.
        Assert.True(result.Correct >= 34, $"{result.Correct} of {result.Guesses} guesses correct");
        Assert.True(result.EpsilonLower > 1, $"ε_lower = {result.EpsilonLower}");
        Assert.True(result.EpsilonLower <= result.EpsilonBound, $"ε_lower {result.EpsilonLower} above the accountant's {result.EpsilonBound}");
        Assert.False(result.Flagged);
        Assert.Equal(200, result.Scores.Count);
        Assert.Equal(result.IncludedFlags.Count(x => x), result.Included);
    }

    [Fact]
    public void NoiseOfASmallEpsilon_IsNotFlagged()
    {
        // σ = 20 over 100 steps at q = 0.1: ε_bound ≈ 0.1, so the canaries must stay nearly invisible. At 99.9% confidence a
        // sound trainer is flagged with probability at most 0.1% (Theorem 5.2).
        var result = Audit(noiseMultiplier: 20, confidence: 0.999);

        Assert.True(result.EpsilonBound < 1, $"ε_bound = {result.EpsilonBound}");
        Assert.False(result.Flagged, $"ε_lower {result.EpsilonLower} above ε_bound {result.EpsilonBound} ({result.Correct} of {result.Guesses})");
    }

    [Fact]
    public void Options_RefuseWhatTheBoundCannotUse()
    {
        Assert.Throws<ArgumentException>(() => new ExampleAuditOptions(1, 1, 0, 0.95, 1e-5).Validate());
        Assert.Throws<ArgumentException>(() => new ExampleAuditOptions(10, 6, 5, 0.95, 1e-5).Validate());
        Assert.Throws<ArgumentException>(() => new ExampleAuditOptions(10, 0, 0, 0.95, 1e-5).Validate());
        Assert.Throws<ArgumentException>(() => new ExampleAuditOptions(10, 2, 2, double.NaN, 1e-5).Validate());
        Assert.Throws<ArgumentException>(() => new ExampleAuditOptions(10, 2, 2, 0.95, double.NaN).Validate());
    }

    /// <summary>200 records + 200 canaries, B = 40 (q = 0.1), 10 epochs of 10 steps, C = 1, k₊ = k₋ = 20.</summary>
    private static ExampleAuditResult Audit(double noiseMultiplier, double confidence)
    {
        var blobs = SyntheticData.Blobs(200, 400, 10, seed: 3);
        var features = blobs.Features.Select((x, j) => j % 400 < 200 ? x : 0f).ToArray();
        var data = new Dataset(features, blobs.Labels, 400, 10);
        using var trainer = new DpSgdTrainer(Spec);
        return ExampleCanaryAudit.Run(trainer, ModelInitializer.Initialize(Spec, 7), data,
            new DpSgdOptions(Epochs: 10, ExpectedBatchSize: 40, LearningRate: 0.5, ClipNorm: 1.0, NoiseMultiplier: noiseMultiplier),
            new ExampleAuditOptions(200, 20, 20, confidence, 1e-5, AccountantKind.Rdp), TestContext.Current.CancellationToken);
    }
}
