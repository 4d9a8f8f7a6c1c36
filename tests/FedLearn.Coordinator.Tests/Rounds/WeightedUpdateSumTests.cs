using FedLearn.Coordinator.Grains.Rounds;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FedLearn.Coordinator.Tests.Rounds;

public sealed class WeightedUpdateSumTests
{
    /// <summary>A round's worth of updates: k deltas of one length d, each with its example count.</summary>
    public sealed record UpdateSet(float[][] Deltas, long[] Weights);

    private static readonly Gen<UpdateSet> UpdateSets =
        from d in Gen.Choose(1, 16)
        from k in Gen.Choose(1, 8)
        from deltas in Gen.Choose(-1_000_000, 1_000_000).Select(i => i / 1000f).ArrayOf(d).ArrayOf(k)
        from weights in Gen.Choose(1, 100_000).Select(w => (long)w).ArrayOf(k)
        select new UpdateSet(deltas, weights);

    [Property]
    public Property Average_RandomUpdates_EqualsExampleWeightedMean() =>
        Prop.ForAll(UpdateSets.ToArbitrary(), set =>
        {
            var dimension = set.Deltas[0].Length;
            var sum = new WeightedUpdateSum(dimension);
            for (var i = 0; i < set.Deltas.Length; i++)
            {
                sum.Add(set.Deltas[i], set.Weights[i]);
            }

            var average = sum.Average();

            var totalWeight = set.Weights.Sum();
            for (var j = 0; j < dimension; j++)
            {
                var expected = 0.0;
                for (var i = 0; i < set.Deltas.Length; i++)
                {
                    expected += set.Weights[i] * (double)set.Deltas[i][j];
                }
                expected /= totalWeight;
                if (Math.Abs(average[j] - expected) > 1e-6 * Math.Max(1.0, Math.Abs(expected)))
                {
                    return false.Label($"index {j}: expected {expected}, got {average[j]}");
                }
            }
            return (sum.Count == set.Deltas.Length && sum.TotalWeight == totalWeight)
                .Label($"count {sum.Count}, total weight {sum.TotalWeight}");
        });

    [Fact]
    public void Average_TwoUpdates_WeighsByExamples()
    {
        var sum = new WeightedUpdateSum(2);
        sum.Add([1f, 0f], 1);
        sum.Add([4f, 3f], 2);

        // (1·[1,0] + 2·[4,3]) / 3 = [3, 2]; an unweighted mean would give [2.5, 1.5].
        Assert.Equal([3f, 2f], sum.Average());
        Assert.Equal(2, sum.Count);
        Assert.Equal(3, sum.TotalWeight);
    }

    [Fact]
    public void Average_NoUpdates_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new WeightedUpdateSum(3).Average());
    }

    [Fact]
    public void Add_WrongLength_ThrowsAndLeavesSumUntouched()
    {
        var sum = new WeightedUpdateSum(3);

        Assert.Throws<ArgumentException>(() => sum.Add([1f, 2f], 1));

        Assert.Equal(0, sum.Count);
        Assert.Equal(0, sum.TotalWeight);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    public void Add_NonPositiveWeight_Throws(long weight)
    {
        var sum = new WeightedUpdateSum(1);

        Assert.Throws<ArgumentOutOfRangeException>(() => sum.Add([1f], weight));
        Assert.Equal(0, sum.Count);
    }

    [Fact]
    public void Add_LargeWeights_DoesNotOverflowOrLosePrecision()
    {
        // Two participants with 2^40 examples each: the numerator is accumulated in double, not float.
        var sum = new WeightedUpdateSum(1);
        sum.Add([1f], 1L << 40);
        sum.Add([3f], 1L << 40);

        Assert.Equal([2f], sum.Average());
        Assert.Equal(1L << 41, sum.TotalWeight);
    }

    [Fact]
    public void Add_WeightSumWouldOverflow_ThrowsAndLeavesSumUntouched()
    {
        // 2^63 − 1 used to wrap the weight sum negative and flip the average's sign.
        var sum = new WeightedUpdateSum(1);
        sum.Add([1f], 10);

        Assert.Throws<OverflowException>(() => sum.Add([-1f], long.MaxValue));

        Assert.Equal(1, sum.Count);
        Assert.Equal(10, sum.TotalWeight);
        Assert.Equal([1f], sum.Average());
    }

    [Fact]
    public void Add_AboveNormBound_ScaledToTheBound()
    {
        var sum = new WeightedUpdateSum(2, maxUpdateNorm: 10);
        sum.Add([-1e30f, 0f], 1);
        sum.Add([3f, 4f], 1);

        // [-1e30, 0] counts as [-10, 0]; [3, 4] (norm 5) is unchanged: mean [-3.5, 2].
        Assert.Equal([-3.5f, 2f], sum.Average());
    }

    [Property]
    public Property Average_BoundedUpdates_NormNeverExceedsTheBound() =>
        Prop.ForAll(UpdateSets.ToArbitrary(), Gen.Choose(1, 1000).ToArbitrary(), (set, bound) =>
        {
            var sum = new WeightedUpdateSum(set.Deltas[0].Length, bound);
            for (var i = 0; i < set.Deltas.Length; i++)
            {
                sum.Add(set.Deltas[i], set.Weights[i]);
            }
            // A weighted mean of vectors in the ball of radius B stays in it (float rounding aside).
            return UpdateNorm.L2(sum.Average()) <= bound * (1 + 1e-5);
        });

    [Fact]
    public void ApplyServerStep_GivenRate_AddsScaledDelta()
    {
        float[] weights = [1f, -2f, 0.5f];
        float[] delta = [0.5f, 1f, -1f];

        var next = WeightedUpdateSum.ApplyServerStep(weights, delta, 2.0);

        Assert.Equal([2f, 0f, -1.5f], next);
        Assert.Equal([1f, -2f, 0.5f], weights);
    }

    [Property]
    public Property ApplyServerStep_UnitRate_EqualsPlainSum() =>
        Prop.ForAll(
            Gen.Choose(-10_000, 10_000).Select(i => i / 64f).ArrayOf(5).Two().ToArbitrary(),
            pair =>
            {
                var (weights, delta) = pair;
                var next = WeightedUpdateSum.ApplyServerStep(weights, delta, 1.0);
                return next.SequenceEqual(weights.Zip(delta, (w, d) => w + d));
            });

    [Fact]
    public void ApplyServerStep_LengthMismatch_Throws()
    {
        Assert.Throws<ArgumentException>(() => WeightedUpdateSum.ApplyServerStep([1f, 2f], [1f], 1.0));
    }
}
