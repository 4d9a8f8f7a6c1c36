using System.Numerics;

namespace FedLearn.Privacy.Tests;

public sealed class BatchSizeBoundTests
{
    /// <summary>
    /// B_max against the binomial tail computed exactly in rationals (q = 1/4, 1/8, 1/2 are exact in binary): the tail
    /// at B_max is ≤ p_tail and the tail at B_max − 1 is not (each case is far from a tie: the tail at B_max − 1 is ≥ 1.9·p_tail).
    /// </summary>
    [Theory]
    [InlineData(20, 2, 1000, 11)]
    [InlineData(30, 3, 1 << 20, 14)]
    [InlineData(12, 1, 10, 8)]
    public void Maximum_IsTheBinomialQuantile_ByBruteForce(int n, int log2InverseQ, int inversePTail, int expected)
    {
        var q = Math.ScaleB(1.0, -log2InverseQ);
        var pTail = 1.0 / inversePTail;

        var maxBatch = BatchSizeBound.Maximum(n, q, pTail);

        Assert.Equal(expected, maxBatch);
        Assert.True(ExactTailAbove(n, log2InverseQ, maxBatch) * inversePTail <= 1);
        Assert.True(ExactTailAbove(n, log2InverseQ, maxBatch - 1) * inversePTail > 1);
    }

    [Fact]
    public void Maximum_AtTheTrainingTail_IsWellAboveTheMeanAndNeverAboveN()
    {
        var maxBatch = BatchSizeBound.Maximum(60000, 64.0 / 60000, BatchSizeBound.TailProbability);

        Assert.InRange(maxBatch, 120, 200); // mean 64, sd 8: 2⁻⁶⁰ is about 10 sd out (Chernoff)
        Assert.Equal(5, BatchSizeBound.Maximum(5, 1.0, BatchSizeBound.TailProbability)); // q = 1: B = n always
        Assert.True(BatchSizeBound.Maximum(3, 0.9, BatchSizeBound.TailProbability) <= 3);
    }

    [Theory]
    [InlineData(0, 0.5, 0.1)]
    [InlineData(10, 0, 0.1)]
    [InlineData(10, double.NaN, 0.1)]
    [InlineData(10, 1.5, 0.1)]
    [InlineData(10, 0.5, 0)]
    [InlineData(10, 0.5, double.NaN)]
    [InlineData(10, 0.5, 1)]
    public void Maximum_DegenerateArguments_Throw(int n, double q, double pTail) =>
        Assert.ThrowsAny<ArgumentException>(() => BatchSizeBound.Maximum(n, q, pTail));

    [Fact]
    public void StepsDistance_IsStepsTimesTheTail()
    {
        Assert.Equal(0, BatchSizeBound.StepsDistance(0));
        Assert.Equal(300 * Math.ScaleB(1.0, -60), BatchSizeBound.StepsDistance(300));
    }

    /// <summary>P[Binomial(n, 2^−s) &gt; b] as a double from its exact rational value Σ_{k&gt;b} C(n,k)(2^s − 1)^(n−k) / 2^(s·n).</summary>
    private static double ExactTailAbove(int n, int log2InverseQ, int b)
    {
        var numerator = BigInteger.Zero;
        var denominator = BigInteger.Pow(BigInteger.One << log2InverseQ, n);
        for (var k = b + 1; k <= n; k++)
        {
            numerator += Choose(n, k) * BigInteger.Pow((BigInteger.One << log2InverseQ) - 1, n - k);
        }

        return Math.Exp(BigInteger.Log(numerator) - BigInteger.Log(denominator));
    }

    private static BigInteger Choose(int n, int k)
    {
        var result = BigInteger.One;
        for (var i = 0; i < k; i++)
        {
            result = result * (n - i) / (i + 1);
        }

        return result;
    }
}
