using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Grains.Sessions;
using MathNet.Numerics.Distributions;

namespace FedLearn.Coordinator.Tests.Sessions;

public sealed class RoundDrawTests
{
    private const int Dimension = 10;

    // ρ = 0 unless a test is about colluders: these cohorts are too small to open beside 5% colluders of the population.
    private static PrivacyPlan Plan(double q, bool secure, double colluderFraction = 0) =>
        new(secure ? PrivacyPlan.DistributedDiscreteGaussian : PrivacyPlan.CentralGaussian, q, 1.1, 1.0, 10.0, 1e-5, "rdp", secure,
            ColluderFraction: secure ? colluderFraction : 0);

    private static AvailableParticipant[] Connected(int n) => [.. Enumerable.Range(0, n).Select(i => new AvailableParticipant($"p{i}", 100))];

    /// <summary>
    /// The session's steps over a fixed population (a fake directory): every draw is a charged step, none is redrawn, so
    /// each participant's inclusion frequency over charged steps is q. With N = 30, q = 0.1 and a minimum cohort of 3,
    /// 41% of draws are undersized; redrawing them (the committed cohort conditioned on its size) would include each
    /// participant with frequency ≈ 0.136, which both the pooled and the per-participant tests reject.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Draw_HundredsOfSteps_EachParticipantIsIncludedWithFrequencyQOverChargedSteps(bool secure)
    {
        const int n = 30;
        const int steps = 600;
        const double q = 0.1;
        const int minimum = 3;
        var connected = Connected(n);
        var included = new int[n];
        var undersized = 0;

        for (var step = 0; step < steps; step++)
        {
            var draw = RoundDraw.Draw(connected, Plan(q, secure), participantsPerRound: n, minimum, Dimension);

            // Every draw is charged, whatever its size.
            Assert.NotNull(draw.Charge);
            undersized += draw.UndersizedReason is null ? 0 : 1;
            foreach (var p in draw.Selected)
            {
                included[int.Parse(p.ParticipantId.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)]++;
            }
        }

        // Two-sided exact binomial tests: pooled over everyone at α = 1e-6, each participant at 1e-4 (Bonferroni over 30).
        Assert.True(TwoSidedBinomialP(included.Sum(), n * steps, q) > 1e-6, $"pooled inclusions {included.Sum()} of {n * steps}");
        for (var i = 0; i < n; i++)
        {
            Assert.True(TwoSidedBinomialP(included[i], steps, q) > 1e-4 / n, $"participant {i} was included in {included[i]} of {steps} steps");
        }
        // Undersized draws really happened (P[Bin(30, 0.1) < 3] ≈ 0.41) and were charged rather than redrawn.
        Assert.InRange(undersized, 150, 350);
    }

    [Fact]
    public void Draw_UndersizedPrivateDraw_IsChargedAtThePlannedSigmaAndSendsNothing()
    {
        var plan = Plan(0.5, secure: true);

        // Two connected participants can never make a cohort of three.
        var draw = RoundDraw.Draw(Connected(2), plan, 2, minimum: 3, Dimension);

        Assert.Contains("commits unchanged", draw.UndersizedReason, StringComparison.Ordinal);
        Assert.Null(draw.SecureAggregation);
        Assert.Equal(plan.NoiseMultiplier, draw.Charge!.NoiseMultiplier);
        Assert.Equal(plan.ClipNorm, draw.Charge.Sensitivity);
    }

    [Fact]
    public void Draw_SecureCohort_ChargesTheWorstCase()
    {
        var plan = Plan(1.0, secure: true);

        var draw = RoundDraw.Draw(Connected(10), plan, 10, minimum: 3, Dimension);

        var secure = Assert.IsType<SecureAggregationPlan>(draw.SecureAggregation);
        Assert.Equal(10, draw.Selected.Count);
        Assert.Equal(SecureAggregationPlanner.WorstCaseNoiseMultiplier(secure, Dimension, plan), draw.Charge!.NoiseMultiplier);
        Assert.True(draw.Charge.Sensitivity >= plan.ClipNorm);
    }

    [Fact]
    public void Draw_SecureCohortThatMayBeAllColluders_IsChargedAtThePlannedSigmaAndSendsNothing()
    {
        // With 5% of the population colluding a cohort of 10 may hold c(10) = 9 of them (review-10 S2): no Shamir threshold
        // below 10 keeps them from an honest participant's secrets, so the draw cannot open and its round commits unchanged.
        var plan = Plan(1.0, secure: true, colluderFraction: 0.05);

        var draw = RoundDraw.Draw(Connected(10), plan, 10, minimum: 3, Dimension);

        Assert.Contains("9 colluders", draw.UndersizedReason, StringComparison.Ordinal);
        Assert.Contains("commits unchanged", draw.UndersizedReason, StringComparison.Ordinal);
        Assert.Null(draw.SecureAggregation);
        Assert.Equal((plan.NoiseMultiplier, plan.ClipNorm, null, 0.0), (draw.Charge!.NoiseMultiplier, draw.Charge.Sensitivity, draw.Charge.Inputs, draw.Charge.SamplerDistance));
    }

    [Fact]
    public void Draw_SecureCohortOfTwenty_RaisesTheThresholdAboveItsColluders_AndCreditsOnlyTheOthers()
    {
        var plan = Plan(1.0, secure: true, colluderFraction: 0.05);

        var draw = RoundDraw.Draw(Connected(20), plan, 20, minimum: 3, Dimension);

        // c(20) = 12: t = 13 rather than ⌊19/2⌋ + 1 = 10, s_min = max(13, 20 − 2) = 18, so 6 shares carry σ.
        var secure = Assert.IsType<SecureAggregationPlan>(draw.SecureAggregation);
        Assert.Equal((19, 13, 18), (secure.Neighbors, secure.Threshold, secure.MinimumSurvivors));
        Assert.Equal((12, 0.05), (draw.Charge!.Inputs!.AssumedColluders, draw.Charge.Inputs.CorruptionRate));
        var encoding = SecureAggregationEncoding.For(secure, Dimension, plan);
        Assert.Equal((ulong)Math.Ceiling(Math.Pow(plan.NoiseMultiplier * encoding.GridSensitivity, 2) / 6), secure.GridNoiseVariance);
        Assert.InRange(draw.Charge.NoiseMultiplier, plan.NoiseMultiplier, plan.NoiseMultiplier * 1.0001);
    }

    [Fact]
    public void Draw_CentralNoise_ChargesThePlannedSigmaWithoutSecureAggregation()
    {
        var plan = Plan(1.0, secure: false);

        var draw = RoundDraw.Draw(Connected(10), plan, 10, minimum: 2, Dimension);

        Assert.Null(draw.UndersizedReason);
        Assert.Null(draw.SecureAggregation);
        // Charged over the sensitivity the grid mechanism adds its noise for: C plus the snapping inflation.
        Assert.Equal(plan.NoiseMultiplier, draw.Charge!.NoiseMultiplier);
        Assert.Equal(FedLearn.Privacy.Noise.GridGaussianMechanism.ChargedSensitivity(plan.ClipNorm, plan.NoiseMultiplier, Dimension), draw.Charge.Sensitivity);
        Assert.True(draw.Charge.Sensitivity > plan.ClipNorm);
    }

    [Fact]
    public void Draw_WithoutPrivacy_SamplesUpToTheCohortSizeAndChargesNothing()
    {
        var draw = RoundDraw.Draw(Connected(10), null, participantsPerRound: 4, minimum: 2, Dimension);

        Assert.Equal(4, draw.Selected.Count);
        Assert.Null(draw.Charge);
        Assert.Null(draw.UndersizedReason);
    }

    private static double TwoSidedBinomialP(int k, int trials, double p)
    {
        var lower = Binomial.CDF(p, trials, k);
        var upper = k == 0 ? 1.0 : 1.0 - Binomial.CDF(p, trials, k - 1);
        return Math.Min(1.0, 2 * Math.Min(lower, upper));
    }
}
