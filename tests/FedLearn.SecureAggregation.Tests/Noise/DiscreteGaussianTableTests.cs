using System.Numerics;
using FedLearn.SecureAggregation.Noise;
using FsCheck.Xunit;

namespace FedLearn.SecureAggregation.Tests.Noise;

/// <summary>
/// The CDT sampler against the exact pmf and the exact CKS sampler. Bounds are loose on purpose (chi-square at its mean
/// plus 10 standard deviations, ~10^−9 false alarm): a real error in the table shifts whole bins by far more.
/// </summary>
public sealed class DiscreteGaussianTableTests
{
    /// <summary>σ² of the reference benchmark: ⌈(2^16 / √17)²⌉.</summary>
    private const ulong BenchmarkSigmaSquared = 252_645_136;

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(1000UL)]
    [InlineData(BenchmarkSigmaSquared)]
    [InlineData(DiscreteGaussianTable.MaxSigmaSquared)]
    public void StatisticalDistanceBound_AllowedSigmas_AtMost2PowMinus70(ulong sigmaSquared)
    {
        var table = DiscreteGaussianTable.For(sigmaSquared);
        Assert.InRange(table.StatisticalDistanceBound, 0, Math.ScaleB(1.0, -70));
        Assert.InRange(table.TailCut, 9 * Math.Sqrt(sigmaSquared), 11 * Math.Sqrt(sigmaSquared) + 5);
    }

    [Fact]
    public void Sample_SigmaSquaredFour_MatchesExactPmfByChiSquare()
    {
        const ulong s2 = 4;
        const int draws = 200_000;
        var table = DiscreteGaussianTable.For(s2);
        using var random = new CryptoRandom();
        var counts = Histogram(Enumerable.Range(0, draws).Select(_ => table.Sample(random)), 8);
        var pmf = ExactPmf(s2, 8);
        var chi2 = counts.Zip(pmf, (o, p) => (o - (draws * p)) * (o - (draws * p)) / (draws * p)).Sum();
        var df = counts.Length - 1;
        Assert.InRange(chi2, 0, df + (10 * Math.Sqrt(2.0 * df)));
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(10UL)]
    [InlineData(77UL)]
    public void Sample_SmallSigma_SameDistributionAsExactSampler(ulong sigmaSquared)
    {
        const int draws = 60_000;
        var range = (int)(4 * Math.Sqrt(sigmaSquared)) + 1;
        var table = DiscreteGaussianTable.For(sigmaSquared);
        var exact = new DiscreteGaussianSampler(sigmaSquared);
        using var random = new CryptoRandom();
        var a = Histogram(Enumerable.Range(0, draws).Select(_ => table.Sample(random)), range);
        var b = Histogram(Enumerable.Range(0, draws).Select(_ => exact.Sample(random)), range);

        // Two-sample chi-square over bins with enough mass: Σ (a − b)² / (a + b), df = bins − 1.
        var bins = a.Zip(b).Where(p => p.First + p.Second >= 20).ToArray();
        var chi2 = bins.Sum(p => (double)(p.First - p.Second) * (p.First - p.Second) / (p.First + p.Second));
        var df = bins.Length - 1;
        Assert.InRange(chi2, 0, df + (10 * Math.Sqrt(2.0 * df)));
    }

    [Fact]
    public void AddSamples_BenchmarkSigma_MeanVarianceAndTailsMatchExactPmf()
    {
        const int n = 1 << 20;
        var table = DiscreteGaussianTable.For(BenchmarkSigmaSquared);
        var values = new uint[n];
        using var random = new CryptoRandom();
        table.AddSamples(values, random);
        var xs = values.Select(v => (double)(int)v).ToArray();
        var sigma = Math.Sqrt(BenchmarkSigmaSquared);

        Assert.InRange(xs.Average(), -6 * sigma / Math.Sqrt(n), 6 * sigma / Math.Sqrt(n));
        var variance = xs.Select(x => x * x).Average();
        Assert.InRange(variance, BenchmarkSigmaSquared * (1 - (6 * Math.Sqrt(2.0 / n))), BenchmarkSigmaSquared * (1 + (6 * Math.Sqrt(2.0 / n))));
        foreach (var k in new[] { 1.0, 2.0, 3.0, 4.0 })
        {
            var cut = (long)Math.Floor(k * sigma);
            var expected = n * TailProbability(BenchmarkSigmaSquared, cut);
            var observed = xs.Count(x => Math.Abs(x) > cut);
            Assert.InRange(observed, expected - (6 * Math.Sqrt(expected)) - 1, expected + (6 * Math.Sqrt(expected)) + 1);
        }
    }

    [Fact]
    public void Sample_ZeroAndSigns_Symmetric()
    {
        var table = DiscreteGaussianTable.For(9);
        using var random = new CryptoRandom();
        var xs = Enumerable.Range(0, 100_000).Select(_ => table.Sample(random)).ToArray();
        double positive = xs.Count(x => x > 0), negative = xs.Count(x => x < 0);
        Assert.InRange(positive - negative, -6 * Math.Sqrt(positive + negative), 6 * Math.Sqrt(positive + negative));
    }

    [Fact]
    public void DiscreteGaussianNoise_AboveTableLimit_UsesExactSamplerWithVarianceSigmaSquared()
    {
        const ulong s2 = DiscreteGaussianTable.MaxSigmaSquared * 4;
        var values = new uint[50_000];
        using var random = new CryptoRandom();
        DiscreteGaussianNoise.Add(values, s2, random);
        var variance = values.Select(v => (double)(int)v * (int)v).Average();
        Assert.InRange(variance, s2 * 0.95, s2 * 1.05);
    }

    [Fact]
    public void Fork_Children_AreIndependentStreams()
    {
        using var parent = new CryptoRandom();
        using var a = parent.Fork();
        using var b = parent.Fork();
        var wa = Enumerable.Range(0, 8).Select(_ => a.NextUInt64()).ToArray();
        var wb = Enumerable.Range(0, 8).Select(_ => b.NextUInt64()).ToArray();
        Assert.NotEqual(wa, wb);
    }

    [Property(MaxTest = 200)]
    public bool MultiplyShift_AnyOperands_MatchesBigInteger(ulong a0, ulong a1, ulong b0, ulong b1, byte shiftRaw)
    {
        // Operands below 2^100 each keep the shifted product inside 128 bits for every shift ≥ 72.
        var a = new UInt128(a1 >> 28, a0);
        var b = new UInt128(b1 >> 28, b0);
        var shift = 72 + (shiftRaw % 56);
        var expected = ((BigInteger)a * b) >> shift;
        return (BigInteger)DiscreteGaussianTable.MultiplyShift(a, b, shift) == expected;
    }

    /// <summary>Counts of −range … range, with everything beyond folded into the two end bins.</summary>
    private static int[] Histogram(IEnumerable<long> xs, int range)
    {
        var counts = new int[(2 * range) + 1];
        foreach (var x in xs)
        {
            counts[(int)Math.Clamp(x, -range, range) + range]++;
        }

        return counts;
    }

    /// <summary>The exact pmf of N_Z(0, σ²) on −range … range with tails folded into the end bins, in double.</summary>
    private static double[] ExactPmf(ulong s2, int range)
    {
        var limit = (int)(40 * Math.Sqrt(s2)) + 40;
        var weights = Enumerable.Range(-limit, (2 * limit) + 1).Select(x => (X: x, W: Math.Exp(-(double)x * x / (2.0 * s2)))).ToArray();
        var total = weights.Sum(p => p.W);
        var pmf = new double[(2 * range) + 1];
        foreach (var (x, w) in weights)
        {
            pmf[Math.Clamp(x, -range, range) + range] += w / total;
        }

        return pmf;
    }

    private static double TailProbability(ulong s2, long cut)
    {
        var limit = (long)(40 * Math.Sqrt(s2));
        double total = 0, tail = 0;
        for (var x = -limit; x <= limit; x++)
        {
            var w = Math.Exp(-(double)x * x / (2.0 * s2));
            total += w;
            tail += Math.Abs(x) > cut ? w : 0;
        }

        return tail / total;
    }

    /// <summary>
    /// A resolved prefix is the magnitude every draw with that prefix gets: checked at the prefix's first and last
    /// 64-bit draw and at random draws inside it; and only a prefix holding a table entry is left unresolved.
    /// </summary>
    [Theory]
    [InlineData(5UL)]
    [InlineData(300UL)]
    [InlineData(1000UL)]
    public void ResolvedPrefixes_AgreeWithTheFullDraw(ulong sigmaSquared)
    {
        const int Bits = 16;
        var table = DiscreteGaussianTable.ForHalf(sigmaSquared);
        var prefixes = table.ResolvedPrefixes(Bits);
        using var random = new CryptoRandom();
        var unresolved = 0;

        for (var b = 0; b < prefixes.Length; b++)
        {
            var first = (ulong)b << (64 - Bits);
            var last = first | (ulong.MaxValue >> Bits);
            if (prefixes[b] < 0)
            {
                unresolved++;
                continue;
            }

            Assert.Equal(prefixes[b], table.SampleMagnitude(first, random));
            Assert.Equal(prefixes[b], table.SampleMagnitude(last, random));
            Assert.Equal(prefixes[b], table.SampleMagnitude(first | (random.NextUInt64() >> Bits), random));
        }

        Assert.InRange(unresolved, 1, table.TailCut);
    }
}
