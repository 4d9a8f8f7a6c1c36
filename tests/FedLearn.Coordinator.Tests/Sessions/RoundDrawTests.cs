using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Sessions;
using MathNet.Numerics.Distributions;

namespace FedLearn.Coordinator.Tests.Sessions;

public sealed class RoundDrawTests
{
    private const int Dimension = 10;

    private static PrivacyPlan Plan(double q, bool secure) =>
        new(secure ? PrivacyPlan.DistributedDiscreteGaussian : PrivacyPlan.CentralGaussian, q, 1.1, 1.0, 10.0, 1e-5, "rdp", secure);

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
