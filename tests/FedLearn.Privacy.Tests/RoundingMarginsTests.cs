namespace FedLearn.Privacy.Tests;

public sealed class RoundingMarginsTests
{
    /// <summary>
    /// Neighbouring batches whose float32 sums differ by more than C when every row is clipped to C, built greedily: row 0
    /// is the record the neighbour zeroes out, and each later row (|x| ≤ clip, the same in both batches) is the value in
    /// [clip/2, clip] whose float32 addition pushes the two running sums furthest apart (rounding one up and the other
    /// down). Recursive summation is one of the orders a Gemm or ReduceSum may use; the bound covers every order.
    /// Measured: clipped to C = 1 the sums end 1 + 3.1·10⁻⁵ apart at B = 256 and 1 + 1.2·10⁻⁴ at B = 1024; clipped with the
    /// margin (0.99225 and 0.88888), 0.99228 and 0.88904.
    /// </summary>
    [Theory]
    [InlineData(256)]
    [InlineData(1024)]
    public void NeighbouringFloat32Sums_ExceedC_WhenClippedToC_AndNotWhenClippedWithTheMargin(int batch)
    {
        const double c = 1.0;

        var naive = GreedyNeighbourDistance((float)c, batch);
        var fixedClip = RoundingMargins.Float32GhostClipNorm(c, [2, 2], batch);
        var withMargin = GreedyNeighbourDistance(fixedClip, batch);

        Assert.True(naive > c, $"the construction must break clipping to C (got {naive:R} at B = {batch})");
        Assert.True(withMargin <= c, $"clipped to {fixedClip:R}: {withMargin:R} > C at B = {batch}");
        Assert.True(withMargin > fixedClip, "the attack must still gain from rounding under the margin, or it shows nothing");
    }

    [Fact]
    public void Float32BatchSum_IsTwoBGammaB()
    {
        var u = Math.ScaleB(1.0, -24);

        Assert.Equal(0, RoundingMargins.Float32BatchSum(0));
        Assert.Equal(2 * 64 * (64 * u / (1 - (64 * u))), RoundingMargins.Float32BatchSum(64), 1e-18);
        Assert.InRange(RoundingMargins.Float32BatchSum(1024), 0.125, 0.126);
        Assert.Throws<ArgumentOutOfRangeException>(() => RoundingMargins.Float32BatchSum(1 << 23));
    }

    [Fact]
    public void Float32GhostNorm_GrowsWithTheWidestLayerAndTheDepth()
    {
        var u = Math.ScaleB(1.0, -24);
        var mnist = RoundingMargins.Float32GhostNorm([784, 256, 10]);

        // k = 784 + 256 + 2 + 1 = 1043 roundings on the squared norm: η ≈ (k/2 + 3)·u.
        Assert.InRange(mnist, 524 * u, 526 * u);
        Assert.True(RoundingMargins.Float32GhostNorm([784, 256, 256, 10]) > mnist);
        Assert.True(RoundingMargins.Float32GhostNorm([1000, 256, 10]) > mnist);
    }

    [Fact]
    public void Float32GhostClipNorm_IsAFloatBelowCOverOnePlusEta()
    {
        int[] layers = [784, 256, 10];
        var bound = 3.0 / ((1 + RoundingMargins.Float32GhostNorm(layers)) * (1 + RoundingMargins.Float32BatchSum(64)));

        var clip = RoundingMargins.Float32GhostClipNorm(3.0, layers, 64);

        Assert.True(clip <= bound);
        Assert.True(MathF.BitIncrement(clip) > bound * (1 - 1e-9), "rounded down by more than one float step");
        Assert.True(RoundingMargins.Float32GhostClipNorm(3.0, layers, 65) <= clip);
        Assert.True(RoundingMargins.Float32GhostClipNorm(3.0, layers, 0) < 3f);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Float32GhostClipNorm_DegenerateClipNorm_Throws(double clipNorm) =>
        Assert.Throws<ArgumentException>(() => RoundingMargins.Float32GhostClipNorm(clipNorm, [4, 2], 8));

    [Fact]
    public void DoubleClippedSum_IsTheCentralMargin() =>
        Assert.Equal(Math.ScaleB(100 + 8 + 300, -52), RoundingMargins.DoubleClippedSum(100, 10));

    private static double GreedyNeighbourDistance(float clip, int batch)
    {
        float with = clip, without = 0f;
        for (var i = 1; i < batch; i++)
        {
            var (bestWith, bestWithout, bestGap) = (with, without, double.NegativeInfinity);
            var x = clip;
            // Candidates a few thousand float steps below the clip cover every alignment with the running sums' spacing.
            for (var j = 0; j < 4096; j++, x = MathF.BitDecrement(x))
            {
                float w = with + x, wo = without + x;
                var gap = (double)w - wo;
                if (gap > bestGap)
                {
                    (bestWith, bestWithout, bestGap) = (w, wo, gap);
                }
            }

            (with, without) = (bestWith, bestWithout);
        }

        return (double)with - without;
    }
}
