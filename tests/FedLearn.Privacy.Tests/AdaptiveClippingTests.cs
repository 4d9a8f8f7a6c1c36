namespace FedLearn.Privacy.Tests;

public sealed class AdaptiveClippingTests
{
    [Theory]
    [InlineData(1.2, 5.0)]
    [InlineData(0.8, 0.6)]
    [InlineData(3.0, 2.0)]
    public void JointNoiseMultiplier_HasTheTwoDimensionalGaussiansPrivacyCurve(double updateMultiplier, double bitNoiseStddev)
    {
        // Independent of the formula: the hockey-stick divergence of the actual two-coordinate release, the clipped sum's
        // coordinate along the update (sensitivity C, noise z_Δ·C) and the report count (sensitivity 1, noise 2σ_b), by
        // numerical integration, against the one-dimensional Gaussian's closed form at μ = 1/z (Balle & Wang 2018).
        const double clipNorm = 3.0;
        var joint = AdaptiveClipping.JointNoiseMultiplier(updateMultiplier, AdaptiveClipping.ReportNoiseMultiplier(bitNoiseStddev));
        var (s1, s2) = (updateMultiplier * clipNorm, 2 * bitNoiseStddev);
        foreach (var epsilon in new[] { 0.5, 1.0, 2.0 })
        {
            var integrated = HockeyStick2D(epsilon, clipNorm, s1, 1.0, s2);
            var mu = 1 / joint;
            var closedForm = Phi((-epsilon / mu) + (mu / 2)) - (Math.Exp(epsilon) * Phi((-epsilon / mu) - (mu / 2)));
            Tolerance.AssertRelative(closedForm, integrated, 2e-3);
        }
    }

    [Fact]
    public void JointNoiseMultiplier_ComposesLikeTheTwoGaussiansUnderRdp()
    {
        // RDP of independent Gaussians on the same data adds (Mironov 2017, Prop. 1 and 7): α/(2z_Δ²) + α/(2z_r²) = α/(2z²).
        var (update, report) = (1.3, 4.0);
        var joint = AdaptiveClipping.JointNoiseMultiplier(update, report);
        var rdp = Accountants.Create(AccountantKind.Rdp);
        var separately = rdp.GetEpsilon([new SubsampledGaussianStep(1, update, 10), new SubsampledGaussianStep(1, report, 10)], 1e-5);
        var together = rdp.GetEpsilon([new SubsampledGaussianStep(1, joint, 10)], 1e-5);
        Tolerance.AssertRelative(separately, together, 1e-6);
        Assert.True(joint < update && joint < report);
    }

    [Theory]
    [InlineData(1.0, 5.0)]
    [InlineData(0.7, 0.5)]
    [InlineData(6.38, 100.0)]
    public void UpdateNoiseMultiplier_InvertsTheJointRelation(double joint, double bitNoiseStddev)
    {
        var update = AdaptiveClipping.UpdateNoiseMultiplier(joint, bitNoiseStddev);
        Assert.True(update > joint);
        Tolerance.AssertRelative(joint, AdaptiveClipping.JointNoiseMultiplier(update, 2 * bitNoiseStddev), 1e-12);
    }

    [Theory]
    [InlineData(1.0, 0.5)] // 2σ_b = z: the count alone spends the whole budget
    [InlineData(1.0, 0.3)]
    [InlineData(double.NaN, 5.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(0.0, 5.0)]
    [InlineData(1.0, double.PositiveInfinity)]
    public void UpdateNoiseMultiplier_RefusesWhenTheCountLeavesNoBudget(double joint, double bitNoiseStddev) =>
        Assert.Throws<ArgumentException>(() => AdaptiveClipping.UpdateNoiseMultiplier(joint, bitNoiseStddev));

    [Fact]
    public void Report_IsPlusOneWithinC_MinusOneAbove_ZeroForTheZeroUpdate()
    {
        Assert.Equal(1, AdaptiveClipping.Report(0.5, 1));
        Assert.Equal(1, AdaptiveClipping.Report(1, 1));
        Assert.Equal(-1, AdaptiveClipping.Report(1.0000001, 1));
        Assert.Equal(0, AdaptiveClipping.Report(0, 1));
        Assert.Equal(0, AdaptiveClipping.Report(double.NaN, 1));
        Assert.Equal(0, AdaptiveClipping.Report(double.PositiveInfinity, 1));
    }

    [Fact]
    public void UnclippedCount_RecoversTheBitCount()
    {
        // Seven within C (+1), three above (−1): Σr = 4, Σb = 7.
        Assert.Equal(7, AdaptiveClipping.UnclippedCount(4, 10));
        Assert.Equal(7.25, AdaptiveClipping.UnclippedCount(4.5, 10));
    }

    [Fact]
    public void NextClipNorm_IsTheGeometricUpdate_ClampedAndUnchangedWithoutARelease()
    {
        Assert.Equal(2 * Math.Exp(-0.2 * (0.8 - 0.5)), AdaptiveClipping.NextClipNorm(2, 8, 10, 0.5, 0.2), 1e-15);
        // b̃ clamped to [0, 1]: a noisy count above n moves C as if every update were within it, no further.
        Assert.Equal(2 * Math.Exp(-0.2 * 0.5), AdaptiveClipping.NextClipNorm(2, 14, 10, 0.5, 0.2), 1e-15);
        Assert.Equal(2 * Math.Exp(0.2 * 0.5), AdaptiveClipping.NextClipNorm(2, -3, 10, 0.5, 0.2), 1e-15);
        Assert.Equal(2, AdaptiveClipping.NextClipNorm(2, null, 10, 0.5, 0.2));
        Assert.Equal(2, AdaptiveClipping.NextClipNorm(2, 3, 0, 0.5, 0.2));
        Assert.Throws<ArgumentException>(() => AdaptiveClipping.NextClipNorm(2, double.NaN, 10, 0.5, 0.2));
        Assert.Throws<ArgumentException>(() => AdaptiveClipping.NextClipNorm(double.NaN, 3, 10, 0.5, 0.2));
    }

    [Theory]
    [InlineData(0.5, 5.0)]
    [InlineData(0.9, 9.0)]
    [InlineData(0.2, 2.0)]
    public void NextClipNorm_OnAPopulationWithKnownQuantiles_ConvergesToTheTargetQuantile(double target, double expected)
    {
        // Update norms uniform on [0, 10]: the γ-quantile is 10·γ. Each round 100 participants report against C, the count is
        // noised with σ_b = 100/20 = 5 (the paper's suggestion, §3) and C moves geometrically, starting far below the quantile.
        var random = new Random(20210617); // a test's reproducible draw, not privacy noise
        var clip = 0.05;
        var late = new List<double>();
        for (var round = 0; round < 400; round++)
        {
            var reports = 0.0;
            for (var i = 0; i < 100; i++)
            {
                reports += AdaptiveClipping.Report(10 * (1 - random.NextDouble()), clip);
            }
            var noisy = reports + (2 * 5.0 * Gaussian(random));
            clip = AdaptiveClipping.NextClipNorm(clip, AdaptiveClipping.UnclippedCount(noisy, 100), 100, target, 0.2);
            if (round >= 300)
            {
                late.Add(clip);
            }
        }
        Assert.InRange(late.Average(), expected * 0.9, expected * 1.1);
    }

    [Fact]
    public void CentralReportVariance_IsAtLeastTheCountsNoiseSquared()
    {
        Assert.Equal(100, AdaptiveClipping.CentralReportVariance(5));
        Assert.Equal(3, AdaptiveClipping.CentralReportVariance(0.8)); // ⌈2.56⌉
        Assert.Throws<ArgumentException>(() => AdaptiveClipping.CentralReportVariance(double.NaN));
    }

    [Fact]
    public void Problems_NameEveryBadField_AndNaNFailsClosed()
    {
        Assert.Empty(AdaptiveClipping.Problems(0.5, 0.2, 1, 5, "p"));
        var problems = AdaptiveClipping.Problems(double.NaN, 0, double.PositiveInfinity, -1, "p").ToList();
        Assert.Equal(4, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("p.target_quantile", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("p.learning_rate", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("p.initial_clip_norm", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("p.bit_noise_stddev", StringComparison.Ordinal));
        Assert.Single(AdaptiveClipping.Problems(1.0, 0.2, 1, 5, "p"));
        Assert.Single(AdaptiveClipping.Problems(0.5, 11, 1, 5, "p"));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>∫∫ max(0, p − e^ε q) for p = N((a, b), diag(s1², s2²)), q = N(0, diag(s1², s2²)), by the midpoint rule.</summary>
    private static double HockeyStick2D(double epsilon, double a, double s1, double b, double s2)
    {
        const int steps = 1600;
        var (x0, x1, y0, y1) = (-9 * s1, a + (9 * s1), -9 * s2, b + (9 * s2));
        var (hx, hy) = ((x1 - x0) / steps, (y1 - y0) / steps);
        var e = Math.Exp(epsilon);
        double total = 0;
        for (var i = 0; i < steps; i++)
        {
            var x = x0 + ((i + 0.5) * hx);
            var (px, qx) = (Density(x - a, s1), Density(x, s1));
            for (var j = 0; j < steps; j++)
            {
                var y = y0 + ((j + 0.5) * hy);
                total += Math.Max(0, (px * Density(y - b, s2)) - (e * qx * Density(y, s2)));
            }
        }
        return total * hx * hy;
    }

    private static double Density(double x, double s) => Math.Exp(-x * x / (2 * s * s)) / (s * Math.Sqrt(2 * Math.PI));

    private static double Phi(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    // Numerical Recipes' erfc (relative error < 1.2e-7), independent of the library's own.
    private static double Erfc(double x)
    {
        var z = Math.Abs(x);
        var t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851513, -0.82215223, 0.17087277];
        var poly = 0.0;
        for (var k = c.Length - 1; k >= 0; k--)
        {
            poly = c[k] + (t * poly);
        }
        var r = t * Math.Exp((-z * z) + poly);
        return x >= 0 ? r : 2 - r;
    }
}
