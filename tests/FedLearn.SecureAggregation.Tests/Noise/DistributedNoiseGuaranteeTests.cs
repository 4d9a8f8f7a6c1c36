using FedLearn.SecureAggregation.Noise;

namespace FedLearn.SecureAggregation.Tests.Noise;

public sealed class DistributedNoiseGuaranteeTests
{
    [Theory]
    [InlineData(2, 1)]
    [InlineData(3, 2)]
    [InlineData(17, 16)]
    [InlineData(20, 19)]
    [InlineData(1000, 950)]
    public void HonestShares_AtFivePercentCorruption_FloorsTheHonestFraction(int survivors, int honest) =>
        Assert.Equal(honest, DistributedNoiseGuarantee.HonestShares(survivors));

    [Theory]
    [InlineData(1, 0.05)]
    [InlineData(0, 0.0)]
    [InlineData(10, 1.0)]
    [InlineData(10, -0.1)]
    [InlineData(10, double.NaN)]
    public void HonestShares_NoShareCountsOrBadRate_Refuses(int survivors, double rate) =>
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.HonestShares(survivors, rate));

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
        var expected = 1 / Math.Sqrt(Math.Min((ratio * ratio) + (tau * Dimension), Math.Pow(ratio + (tau * 10), 2)));
        Assert.Equal(expected, charged, 12);
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
