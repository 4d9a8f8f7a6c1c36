using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;

namespace FedLearn.Coordinator.Tests.Rounds;

/// <summary>The vectorised scans over an update agree with the plain definitions at every length and position.</summary>
public sealed class UpdateScanTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(33)]
    [InlineData(1001)]
    public void L2_EqualsTheSumOfSquaresInDouble(int length)
    {
        var values = Values(length);
        var expected = Math.Sqrt(values.Sum(v => (double)v * v));

        Assert.Equal(expected, UpdateNorm.L2(values), 1e-12 * expected);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(17, 16)]
    [InlineData(1001, 0)]
    [InlineData(1001, 500)]
    [InlineData(1001, 1000)]
    public void FirstNonFinite_FindsTheFirstNaNOrInfinity(int length, int at)
    {
        foreach (var bad in new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity })
        {
            var values = Values(length);
            Assert.Equal(-1, UpdateNorm.FirstNonFinite(values));
            values[at] = bad;
            if (at + 1 < length)
            {
                values[length - 1] = float.NaN;
            }
            Assert.Equal(at, UpdateNorm.FirstNonFinite(values));
        }
    }

    [Fact]
    public void FirstNonFinite_LargestFiniteValues_AreFinite() =>
        Assert.Equal(-1, UpdateNorm.FirstNonFinite(Enumerable.Repeat(float.MaxValue, 40).Concat(Enumerable.Repeat(float.MinValue, 3)).ToArray()));

    [Theory]
    [InlineData(5)]
    [InlineData(64)]
    [InlineData(203_530)]
    public void WeightedSum_MatchesTheScalarFormula(int length)
    {
        var a = Values(length, seed: 1);
        var b = Values(length, seed: 2);
        var sum = new WeightedUpdateSum(length);
        sum.Add(a, 3);
        sum.Add(b, 5);

        var average = sum.Average();

        for (var i = 0; i < length; i++)
        {
            Assert.Equal((float)(((3.0 * a[i]) + (5.0 * b[i])) / 8), average[i]);
        }
    }

    [Fact]
    public void ServedModel_HoldsTheWeightsAsLittleEndianFloat32()
    {
        float[] weights = [1.5f, -2f, 0f];

        var served = ServedModel.Of(weights);

        Assert.Equal(3, served.ParameterCount);
        Assert.Equal(12, served.Bytes.Length);
        Assert.Equal(BitConverter.GetBytes(-2f), served.Bytes[4..8]);
        Assert.Equal(weights, served.ToFloats());
    }

    private static float[] Values(int length, int seed = 7)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, length).Select(_ => (float)(random.NextDouble() - 0.5))];
    }
}
