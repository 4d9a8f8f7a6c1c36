using FedLearn.SecureAggregation.Noise;

namespace FedLearn.SecureAggregation.Tests.Noise;

public sealed class DistributedNoiseGuaranteeTests
{
    [Theory]
    [InlineData(2, 3, 2)] // ⌊0.05·3⌋ = 0 corrupt
    [InlineData(17, 20, 16)] // ⌊0.05·20⌋ = 1, not ⌊0.95·17⌋ = 16 by luck: 17 − 1
    [InlineData(60, 100, 55)] // ⌊0.95·60⌋ = 57 would assume only 3 of the 5 corrupt survived
    [InlineData(900, 1000, 850)]
    [InlineData(1000, 1000, 950)]
    public void HonestShares_OfVersion3And4Ledgers_CountsEveryCorruptParticipantOfTheCohortAsASurvivor(int survivors, int cohort, int honest) =>
        Assert.Equal(honest, DistributedNoiseGuarantee.HonestShares(survivors, cohort));

    [Theory]
    [InlineData(18, 1000, 0.05)] // the Shamir threshold of a SecAgg+ cohort of 1000: all 18 may be among its 50 corrupt
    [InlineData(1, 20, 0.05)]
    [InlineData(0, 10, 0.0)]
    [InlineData(11, 10, 0.0)]
    [InlineData(10, 10, 1.0)]
    [InlineData(10, 10, -0.1)]
    [InlineData(10, 10, double.NaN)]
    public void HonestShares_NoShareCertainlyHonestOrBadInput_Refuses(int survivors, int cohort, double rate) =>
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.HonestShares(survivors, cohort, rate));

    [Theory]
    [InlineData(3, 2, 3, 3)] // the secure minimum of three: no dropout possible
    [InlineData(4, 2, 3, 3)] // ⌈0.4⌉ = 1 dropout
    [InlineData(10, 5, 3, 9)]
    [InlineData(30, 16, 3, 27)] // 0.1·30 is 3.0000000000000004 in binary: still 3 dropouts
    [InlineData(100, 17, 3, 90)]
    [InlineData(1000, 18, 3, 900)]
    [InlineData(10, 5, 10, 10)] // the round's minimum wins
    [InlineData(6, 4, 3, 5)]
    public void MinimumSurvivors_IsTheLargestOfThresholdMinimumAndTheCohortLessItsAllowance(int cohort, int threshold, int minimum, int expected) =>
        Assert.Equal(expected, DistributedNoiseGuarantee.MinimumSurvivors(cohort, threshold, minimum));

    [Fact]
    public void MinimumSurvivors_AllowanceZero_NeedsTheWholeCohort_AndBadAllowancesRefuse()
    {
        Assert.Equal(100, DistributedNoiseGuarantee.MinimumSurvivors(100, 17, 3, 0));
        Assert.Equal(50, DistributedNoiseGuarantee.MinimumSurvivors(100, 17, 3, 0.5));
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.MinimumSurvivors(100, 17, 3, double.NaN));
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.MinimumSurvivors(100, 17, 3, 1.0));
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.MinimumSurvivors(100, 17, 3, -0.01));
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.MinimumSurvivors(10, 5, 11));
        // 96 dropouts allowed of 100 leave the threshold 4; whether any of them is certainly honest is the planner's
        // question (CertainlyHonest with the cohort's colluders), not this one's.
        Assert.Equal(4, DistributedNoiseGuarantee.MinimumSurvivors(100, 4, 3, 0.96));
    }

    [Fact]
    public void Tau_MatchesTheSumOfKairouzLiuSteinke()
    {
        // n = 3, σ² = 1/4: 10·(exp(−2π²·¼·½) + exp(−2π²·¼·⅔)).
        var expected = 10 * (Math.Exp(-Math.PI * Math.PI / 4) + Math.Exp(-Math.PI * Math.PI / 3));
        Assert.Equal(expected, DistributedNoiseGuarantee.Tau(3, 0.25), 12);
        Assert.Equal(0, DistributedNoiseGuarantee.Tau(1, 0.25));
    }

    [Fact]
    public void NoiseMultiplier_SmallShares_ChargesTau()
    {
        // With σ² = 1/4 the sum is far from a discrete Gaussian: τ must make σ_eff smaller than √(nσ²)/Δ.
        const int Shares = 10, Dimension = 100;
        var naive = Math.Sqrt(Shares * 0.25) / 3.0;
        var charged = DistributedNoiseGuarantee.NoiseMultiplier(3.0, 0.25, Shares, Dimension);
        Assert.True(charged < naive / 2, $"σ_eff {charged} vs naive {naive}");
        var tau = DistributedNoiseGuarantee.Tau(Shares, 0.25);
        var ratio = 3.0 / Math.Sqrt(Shares * 0.25);
        var expected = 1 / Math.Sqrt(Math.Min((ratio * ratio) + (2 * tau * Dimension), Math.Pow(ratio + (tau * 10), 2)));
        Assert.Equal(expected, charged, 12);
        // The Gaussian curve α/(2σ_eff²) bounds Prop. 14's min{αΔ²/(2nσ²) + τD, (α/2)(Δ/(√n·σ) + τ√D)²} at every order the
        // accountants use, also below α = 2 where τD is not scaled by α/2.
        foreach (var alpha in new[] { 1.1, 1.5, 2.0, 8.0, 64.0 })
        {
            var theorem = Math.Min((alpha * ratio * ratio / 2) + (tau * Dimension), alpha / 2 * Math.Pow(ratio + (tau * 10), 2));
            Assert.True(alpha / (2 * charged * charged) >= theorem * (1 - 1e-12), $"α = {alpha}");
        }
    }

    [Fact]
    public void NoiseMultiplier_LargeShares_IsTheGaussianFigure()
    {
        var charged = DistributedNoiseGuarantee.NoiseMultiplier(4096.5, 1_000_000, 16, 1 << 20);
        Assert.Equal(Math.Sqrt(16 * 1_000_000.0) / 4096.5, charged, 12);
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(double.PositiveInfinity, 1.0)]
    [InlineData(1.0, 0.2)]
    [InlineData(1.0, double.NaN)]
    [InlineData(1.0, double.PositiveInfinity)]
    public void NoiseMultiplier_DegenerateInputs_Refuses(double sensitivity, double variance) =>
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.NoiseMultiplier(sensitivity, variance, 4, 16));
}
