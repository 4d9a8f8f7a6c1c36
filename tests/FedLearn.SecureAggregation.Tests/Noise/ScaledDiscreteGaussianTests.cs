using FedLearn.SecureAggregation.Noise;

namespace FedLearn.SecureAggregation.Tests.Noise;

/// <summary>
/// The k·x + y decomposition with rejection against the exact pmf: a wrong acceptance probability or a double-counted
/// zero shifts whole bins far beyond the chi-square bound (its mean plus 10 standard deviations).
/// </summary>
public sealed class ScaledDiscreteGaussianTests
{
    [Theory]
    [InlineData(5UL)]          // k = 1: the half table and a sign alone
    [InlineData(2_000UL)]      // k = 2, σ₀² = 500
    [InlineData(40_000UL)]     // k = 8, σ₀² = 625
    public void AddSamples_MatchesExactPmfByChiSquare(ulong minimumVariance)
    {
        const int Draws = 400_000;
        var sampler = ScaledDiscreteGaussian.For(minimumVariance);
        var variance = sampler.Variance;
        var values = new uint[Draws];
        using var random = new CryptoRandom();
        sampler.AddSamples(values, random);

        // Bins of width w over ±4σ, tails folded into the end bins.
        var sigma = Math.Sqrt(variance);
        var width = Math.Max(1, (int)(sigma / 8));
        var range = (int)Math.Ceiling(4 * sigma / width);
        var observed = new double[(2 * range) + 1];
        foreach (var v in values)
        {
            observed[Bin((int)v, width, range)]++;
        }

        var expected = new double[observed.Length];
        var limit = (long)(12 * sigma) + 12;
        double total = 0;
        for (var x = -limit; x <= limit; x++)
        {
            var weight = Math.Exp(-(double)x * x / (2.0 * variance));
            total += weight;
            expected[Bin(x, width, range)] += weight;
        }

        var chi2 = observed.Zip(expected, (o, e) => (o - (Draws * e / total)) * (o - (Draws * e / total)) / (Draws * e / total)).Sum();
        var df = observed.Length - 1;
        Assert.InRange(chi2, 0, df + (10 * Math.Sqrt(2.0 * df)));
    }

    [Theory]
    [InlineData(1_100_000_000UL)] // DP-SGD's grid noise: k = 2^11, the packed path
    [InlineData(1UL << 40)]       // k = 2^16: y needs 16 bits, the two-word path
    public void AddSamples_LargeVariance_MeanVarianceAndSymmetry(ulong minimumVariance)
    {
        const int N = 1 << 20;
        var sampler = ScaledDiscreteGaussian.For(minimumVariance);
        var values = new uint[N];
        using var random = new CryptoRandom();
        sampler.AddSamples(values, random);
        var xs = values.Select(v => (double)(int)v).ToArray();
        var sigma = Math.Sqrt(sampler.Variance);

        Assert.InRange(xs.Average(), -6 * sigma / Math.Sqrt(N), 6 * sigma / Math.Sqrt(N));
        var variance = xs.Select(x => x * x).Average();
        var tolerance = 6 * Math.Sqrt(2.0 / N);
        Assert.InRange(variance, sampler.Variance * (1 - tolerance), sampler.Variance * (1 + tolerance));
        double positive = xs.Count(x => x > 0), negative = xs.Count(x => x < 0);
        Assert.InRange(positive - negative, -6 * Math.Sqrt(positive + negative), 6 * Math.Sqrt(positive + negative));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(1023UL)]
    [InlineData(1024UL)]
    [InlineData(1_100_000_000UL)]
    [InlineData(DiscreteGaussianSampler.MaxSigmaSquared)]
    public void Variance_AtLeastTheRequestAndAtMostOneIn256Above_WithATinyDistanceBound(ulong minimumVariance)
    {
        var sampler = ScaledDiscreteGaussian.For(minimumVariance);
        Assert.InRange(sampler.Variance, minimumVariance, minimumVariance + Math.Max(1, minimumVariance / 256));
        Assert.InRange(sampler.StatisticalDistanceBound, 0, Math.ScaleB(1.0, -88));
    }

    [Fact]
    public void AddSamples_AddsToTheExistingWords()
    {
        var values = Enumerable.Repeat(1000u, 10_000).ToArray();
        using var random = new CryptoRandom();
        ScaledDiscreteGaussian.For(4).AddSamples(values, random);
        Assert.InRange(values.Select(v => (double)(int)v).Average(), 1000 - 0.5, 1000 + 0.5);
    }

    private static int Bin(long x, int width, int range) => (int)Math.Clamp(Math.Floor((double)x / width), -range, range) + range;
}
