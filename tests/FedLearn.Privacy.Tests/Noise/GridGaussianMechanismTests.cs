using FedLearn.Privacy.Noise;
using FsCheck.Xunit;

namespace FedLearn.Privacy.Tests.Noise;

public sealed class GridGaussianMechanismTests
{
    [Theory]
    [InlineData(1.0, 1)]
    [InlineData(1.0, 203_530)]
    [InlineData(0.3, 1 << 20)]
    [InlineData(5.0, 1000)]
    public void Grid_IsThePowerOfTwoJustBelowTheInflationBound(double clipNorm, int dimension)
    {
        var gamma = GridGaussianMechanism.Grid(clipNorm, 1.1, dimension);
        Assert.Equal(Math.ScaleB(1.0, Math.ILogB(gamma)), gamma); // a power of two
        var inflation = gamma * Math.Sqrt(dimension);
        Assert.True(inflation <= clipNorm / 64, $"γ√d = {inflation}");
        Assert.True(2 * inflation > clipNorm / 64, $"γ√d = {inflation}: the grid could be twice as coarse");
        Assert.Equal(clipNorm + inflation, GridGaussianMechanism.ChargedSensitivity(clipNorm, 1.1, dimension));
    }

    [Fact]
    public void Grid_HugeSigma_CoarsensUntilTheGridNoiseFitsTwoToThe24()
    {
        const double C = 1e-6, Sigma = 1e5;
        const int D = 204;
        var gamma = GridGaussianMechanism.Grid(C, Sigma, D);
        var std = Sigma * GridGaussianMechanism.ChargedSensitivity(C, Sigma, D) / gamma;
        Assert.InRange(std, 1 << 23, 1 << 24);
        Assert.True(gamma * Math.Sqrt(D) > C / 64); // coarser than the default grid
    }

    [Fact]
    public void AddNoise_Output_IsExactlyOnTheGrid()
    {
        // The point of the mechanism (Mironov 2012): the release is γ times an integer vector, whatever the input's low bits.
        var random = new Random(7);
        var sum = Enumerable.Range(0, 50_000).Select(_ => (float)(random.NextDouble() - 0.5) * 3).ToArray();
        var gamma = GridGaussianMechanism.Grid(1.0, 0.7, sum.Length);

        GridGaussianMechanism.AddNoise(sum, 1.0, 0.7);

        Assert.All(sum, v => Assert.Equal(Math.Round(v / gamma), v / gamma));
    }

    [Fact]
    public void Release_DoubleSum_SnapsTheDoubleItselfNotItsFloat()
    {
        // At γ = 2^-13 (C = 2^-7, d = 1) floats near 999 are γ/2 apart, so 999 + 1.49γ becomes the float 999 + 1.5γ, a tie
        // that snaps to 999 + 2γ, while the double itself snaps to 999 + γ: only the double path is the documented snap.
        const double C = 0.0078125, Sigma = 1.0; // γ = 2^-13 for d = 1
        var gamma = GridGaussianMechanism.Grid(C, Sigma, 1);
        var value = 999 + (1.49 * gamma);
        var zero = new uint[1];
        var fromDouble = new float[1];
        var fromFloat = new[] { (float)value };

        GridGaussianMechanism.Release([value], zero, fromDouble, C, Sigma);
        GridGaussianMechanism.Release(fromFloat, zero, C, Sigma);

        Assert.Equal((float)(999 + gamma), fromDouble[0]);
        Assert.Equal((float)(999 + (2 * gamma)), fromFloat[0]); // the float of the sum had already crossed the midpoint
        Assert.Throws<ArgumentException>(() => GridGaussianMechanism.Release([value, 1.0], zero, new float[2], C, Sigma));
    }

    [Fact]
    public void AddNoise_ManySamples_IsCentredOnTheSnappedSumWithStdAtLeastSigmaDelta()
    {
        const int D = 200_000;
        const double C = 2.0, Sigma = 1.3;
        var values = Enumerable.Repeat(0.25f, D).ToArray();

        var sensitivity = GridGaussianMechanism.AddNoise(values, C, Sigma);

        var gamma = GridGaussianMechanism.Grid(C, Sigma, D);
        Assert.Equal(C + (gamma * Math.Sqrt(D)), sensitivity);
        var mean = values.Average(v => (double)v);
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (D - 1);
        var expected = Sigma * sensitivity;
        // Standard errors: mean ≈ 2.6/√n ≈ 0.006, variance ≈ 6.9·√(2/n) ≈ 0.022.
        Assert.InRange(mean, 0.25 - 0.04, 0.25 + 0.04);
        Assert.InRange(variance, expected * expected * 0.98, expected * expected * 1.02);
        Assert.True(GridGaussianMechanism.GridVariance(C, Sigma, D) * gamma * gamma >= expected * expected);
    }

    [Property(MaxTest = 50)]
    public bool Snapping_NeighbouringSums_MoveByAtMostTheChargedSensitivity(int seed)
    {
        // S and S' = S − v with ‖v‖ ≤ C: the snapped sums (what the noise is added to) differ by ≤ C + γ√d.
        const int D = 4096;
        const double C = 1.0;
        var random = new Random(seed);
        var gamma = GridGaussianMechanism.Grid(C, 1.0, D);
        var s = Enumerable.Range(0, D).Select(_ => (random.NextDouble() - 0.5) * 10).ToArray();
        var v = Enumerable.Range(0, D).Select(_ => random.NextDouble() - 0.5).ToArray();
        var norm = Math.Sqrt(v.Sum(x => x * x));
        var scale = C / norm * random.NextDouble();
        double distance2 = 0;
        for (var i = 0; i < D; i++)
        {
            var a = Math.Round(s[i] / gamma);
            var b = Math.Round((s[i] - (v[i] * scale)) / gamma);
            distance2 += (a - b) * (a - b) * gamma * gamma;
        }

        return Math.Sqrt(distance2) <= GridGaussianMechanism.ChargedSensitivity(C, 1.0, D);
    }

    /// <summary>
    /// The fused DP-SGD step (vector lanes plus a scalar tail: 1003 = 62·16 + 11) adds exactly the release that
    /// <see cref="GridGaussianMechanism.Release(Span{float}, ReadOnlySpan{uint}, double, double)"/> writes, including
    /// sums that sit exactly half a grid step apart (ties round to even) and negative noise.
    /// </summary>
    [Fact]
    public void ReleaseInto_AddsExactlyTheRelease_TiesToEven()
    {
        const int D = 1003;
        var gamma = GridGaussianMechanism.Grid(1.0, 1.0, D);
        var random = new Random(5);
        var sum = new float[D];
        var noise = new uint[D];
        for (var i = 0; i < D; i++)
        {
            sum[i] = i % 3 == 0 ? (float)((i - 500 + 0.5) * gamma) : (float)(random.NextDouble() - 0.5) * 0.05f;
            noise[i] = unchecked((uint)random.Next(-100_000, 100_000));
        }

        var released = (float[])sum.Clone();
        var expectedDelta = GridGaussianMechanism.Release(released, noise, 1.0, 1.0);
        var accumulator = new float[D];

        var delta = GridGaussianMechanism.ReleaseInto(sum, noise, 1.0, 1.0, 1f, accumulator);

        Assert.Equal(expectedDelta, delta);
        Assert.Equal(released, accumulator);

        var weights = Enumerable.Range(0, D).Select(i => 0.01f * i).ToArray();
        var stepped = (float[])weights.Clone();
        GridGaussianMechanism.ReleaseInto(sum, noise, 1.0, 1.0, -0.25f, stepped);
        for (var i = 0; i < D; i++)
        {
            Assert.Equal(weights[i] + (-0.25f * released[i]), stepped[i]);
        }
    }

    [Theory]
    [InlineData(float.NaN, 5)]
    [InlineData(float.PositiveInfinity, 20)]
    [InlineData(float.NegativeInfinity, 40)]
    public void ReleaseInto_NonFiniteSum_Refuses(float bad, int at)
    {
        var sum = new float[41];
        sum[at] = bad;
        Assert.Throws<ArgumentException>(() => GridGaussianMechanism.ReleaseInto(sum, new uint[41], 1.0, 1.0, 1f, new float[41]));
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void AddNoise_NonFiniteSum_Refuses(float bad)
    {
        float[] sum = [1f, bad, 2f];
        Assert.Throws<ArgumentException>(() => GridGaussianMechanism.AddNoise(sum, 1.0, 1.0));
    }

    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(-1.0, 1.0)]
    [InlineData(double.NaN, 1.0)]
    [InlineData(1.0, 0.0)]
    [InlineData(1.0, double.NaN)]
    [InlineData(1.0, double.PositiveInfinity)]
    [InlineData(1.0, 1e9)] // σ√d ≥ 2^23: no grid keeps the noise inside 32 bits
    public void AddNoise_DegenerateParameters_Refuse(double clipNorm, double sigma) =>
        Assert.ThrowsAny<ArgumentException>(() => GridGaussianMechanism.AddNoise(new float[16], clipNorm, sigma));

    [Fact]
    public void StatisticalDistance_IsAtMostDimensionTimesTwoToTheMinus88()
    {
        const int D = 203_530;
        var distance = GridGaussianMechanism.StatisticalDistance(1.0, 1.0, D);
        Assert.InRange(distance, 0, D * Math.ScaleB(1.0, -88));
    }
}
