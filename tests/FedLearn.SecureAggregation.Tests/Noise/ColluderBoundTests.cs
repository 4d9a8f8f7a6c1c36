using System.Numerics;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.SecureAggregation.Tests.Noise;

/// <summary>
/// c(n), the colluders a cohort of n may hold when a fraction ρ of the population colludes (review-10 S2), against a
/// brute-force exact sum: E[(Binomial(n, ρ) − c)₊] = Σ_{k&gt;c} (k − c)·C(n, k)·ρ^k·(1 − ρ)^(n−k), with ρ = a/b a fraction of
/// integers, compared with δ_c = 2^−e in exact integer arithmetic: Σ (k − c)·C(n, k)·a^k·(b − a)^(n−k)·2^e ≤ b^n.
/// </summary>
public sealed class ColluderBoundTests
{
    private static BigInteger Choose(int n, int k)
    {
        BigInteger result = 1;
        for (var i = 0; i < k; i++)
        {
            result = result * (n - i) / (i + 1);
        }
        return result;
    }

    /// <summary>Whether E[(Binomial(n, a/b) − c)₊] ≤ 2^−e, exactly.</summary>
    private static bool ExcessAtMost(int n, int a, int b, int c, int e)
    {
        BigInteger sum = 0;
        for (var k = c + 1; k <= n; k++)
        {
            sum += (k - c) * Choose(n, k) * BigInteger.Pow(a, k) * BigInteger.Pow(b - a, n - k);
        }
        return (sum << e) <= BigInteger.Pow(b, n);
    }

    /// <summary>Whether P[Binomial(n, a/b) &gt; c] ≤ 2^−e, exactly.</summary>
    private static bool TailAtMost(int n, int a, int b, int c, int e)
    {
        BigInteger sum = 0;
        for (var k = c + 1; k <= n; k++)
        {
            sum += Choose(n, k) * BigInteger.Pow(a, k) * BigInteger.Pow(b - a, n - k);
        }
        return (sum << e) <= BigInteger.Pow(b, n);
    }

    [Theory]
    [InlineData(1, 20)] // ρ = 0.05, the default
    [InlineData(1, 8)] // ρ = 0.125, exact in binary
    [InlineData(1, 100)]
    [InlineData(3, 10)]
    public void Colluders_IsTheSmallestCWhoseExactExcessIsWithinTheBound_AndBoundsTheBinomialTail(int a, int b)
    {
        var rho = (double)a / b;
        foreach (var n in new[] { 1, 2, 3, 4, 5, 8, 10, 11, 12, 15, 19, 20, 21, 30, 50, 99, 100, 101, 250, 1000 })
        {
            var c = ColluderBound.Colluders(n, rho);

            Assert.True(ExcessAtMost(n, a, b, c, 40), $"n = {n}, ρ = {rho}: E[(Y − {c})+] > 2^−40");
            Assert.True(c == 0 || !ExcessAtMost(n, a, b, c - 1, 40), $"n = {n}, ρ = {rho}: {c - 1} would do");
            Assert.True(TailAtMost(n, a, b, c, 40), $"n = {n}, ρ = {rho}: P[Y > {c}] > 2^−40");
        }
    }

    [Theory]
    [InlineData(10, 9)] // ⌊0.05·10⌋ = 0 was assumed before
    [InlineData(20, 12)] // ⌊0.05·20⌋ = 1
    [InlineData(100, 26)] // ⌊0.05·100⌋ = 5
    [InlineData(1000, 106)] // ⌊0.05·1000⌋ = 50
    public void Colluders_AtTheDefaultFraction_FarAboveTheOldPerCohortBound(int n, int expected) =>
        Assert.Equal(expected, ColluderBound.Colluders(n, DistributedNoiseGuarantee.AssumedCorruptionRate));

    [Fact]
    public void Colluders_ASmallerFailureProbability_NeedsAtLeastAsMany_AndNoFractionNone()
    {
        Assert.True(ColluderBound.Colluders(100, 0.05, 1e-6) <= ColluderBound.Colluders(100, 0.05, 1e-15));
        Assert.Equal(18, ColluderBound.Colluders(100, 0.05, 1e-6)); // review-10's table gives 18 for the 1e-6 binomial tail too
        Assert.Equal(0, ColluderBound.Colluders(1000, 0));
        Assert.Equal(ColluderBound.Colluders(5000, 0.05), ColluderBound.Colluders(5000, 0.05, ColluderBound.FailureProbability));
    }

    [Theory]
    [InlineData(0, 0.05, 1e-6)]
    [InlineData(10, -0.01, 1e-6)]
    [InlineData(10, 1.0, 1e-6)]
    [InlineData(10, double.NaN, 1e-6)]
    [InlineData(10, 0.05, 0)]
    [InlineData(10, 0.05, 1)]
    [InlineData(10, 0.05, double.NaN)]
    public void Colluders_BadInput_Refuses(int n, double rho, double failure) =>
        Assert.ThrowsAny<ArgumentException>(() => ColluderBound.Colluders(n, rho, failure));

    [Fact]
    public void CertainlyHonest_CountsEveryColluderAsASurvivor_AndRefusesWhenNoneRemains()
    {
        Assert.Equal(64, DistributedNoiseGuarantee.CertainlyHonest(90, 26));
        Assert.Throws<ArgumentException>(() => DistributedNoiseGuarantee.CertainlyHonest(9, 9));
        Assert.Throws<ArgumentOutOfRangeException>(() => DistributedNoiseGuarantee.CertainlyHonest(9, -1));
    }
}
