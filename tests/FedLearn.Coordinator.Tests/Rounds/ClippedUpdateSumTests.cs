using FedLearn.Coordinator.Grains.Rounds;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace FedLearn.Coordinator.Tests.Rounds;

public sealed class ClippedUpdateSumTests
{
    [Property]
    public Property Add_AnyUpdate_ContributesAtMostTheClipNorm() =>
        Prop.ForAll(Gen.ArrayOf(Gen.Choose(-1000, 1000).Select(i => i / 10f), 8).ToArbitrary(), Gen.Choose(1, 50).ToArbitrary(), (delta, clip) =>
        {
            var sum = new ClippedUpdateSum(8, clip / 10.0);

            sum.Add(delta);

            var norm = Math.Sqrt(sum.Values.ToArray().Sum(v => v * v));
            var original = Math.Sqrt(delta.Sum(v => (double)v * v));
            return norm <= clip / 10.0 && Math.Abs(norm - Math.Min(original, clip / 10.0)) < 1e-4;
        });

    [Fact]
    public void Add_UpdateInsideTheBall_IsUnchanged()
    {
        var sum = new ClippedUpdateSum(3, 10.0, maxContributions: 2);

        sum.Add([1f, -2f, 2f]);
        sum.Add([0.5f, 0f, 0f]);

        Assert.Equal([1.5, -2.0, 2.0], sum.Values.ToArray());
        Assert.Equal(2, sum.Count);
    }

    [Fact]
    public void Add_LongUpdate_KeepsItsDirection()
    {
        var sum = new ClippedUpdateSum(2, 1.0);

        sum.Add([30f, 40f]);

        Assert.Equal(0.6, sum.Values[0], 1e-12);
        Assert.Equal(0.8, sum.Values[1], 1e-12);
    }

    [Fact]
    public void Add_WrongLength_Throws()
    {
        Assert.Throws<ArgumentException>(() => new ClippedUpdateSum(3, 1.0).Add([1f]));
    }

    /// <summary>
    /// Neighbouring cohorts (one update zeroed out) whose sums differ by more than C once narrowed to float: 999 updates put
    /// the first coordinate just below 999 (each clipped to 1 − m), where floats are 2^−14 apart, and the neighbour's update
    /// adds 3.2·10^−5 there (just over half a float step, so narrowing rounds it up to 6.1·10^−5) plus nearly all of its norm in the second
    /// coordinate. The old aggregator narrowed the sum to float before snapping: ‖float(S) − float(S′)‖ = C·(1 + 1.9·10^−9).
    /// The double sum, clipped with the margin, stays within C.
    /// </summary>
    [Fact]
    public void Neighbours_ComputedSumsDifferByAtMostTheClipNorm_WhereFloatNarrowingExceedsIt()
    {
        const int Others = 999;
        var with = new ClippedUpdateSum(2, 1.0, Others + 1);
        var without = new ClippedUpdateSum(2, 1.0, Others + 1);
        for (var i = 0; i < Others; i++)
        {
            with.Add([1f, 0f]);
            without.Add([1f, 0f]);
        }
        const float a = 3.2e-5f;
        with.Add([a, (float)Math.Sqrt(1 - ((double)a * a))]);
        without.Add([0f, 0f]); // the zero-out neighbour

        var exact = Distance(with.Values.ToArray(), without.Values.ToArray());
        var narrowed = Distance([.. with.Values.ToArray().Select(v => (double)(float)v)], [.. without.Values.ToArray().Select(v => (double)(float)v)]);

        Assert.True(narrowed > 1.0, $"the construction must break float narrowing (got {narrowed:R})");
        Assert.True(exact <= 1.0, $"‖S − S′‖ = {exact:R} > C");
    }

    [Fact]
    public void Margin_GrowsWithCoordinatesAndContributions_AndAnUnpayableOneIsRefused()
    {
        Assert.Equal(Math.ScaleB(1000 + 8 + 3.0 * 100 * 100, -52), new ClippedUpdateSum(1000, 1.0, 100).Margin);
        Assert.Throws<ArgumentException>(() => new ClippedUpdateSum(10, 1.0, 40_000_000));
        var full = new ClippedUpdateSum(1, 1.0, 1);
        full.Add([1f]);
        Assert.Throws<InvalidOperationException>(() => full.Add([1f]));
    }

    private static double Distance(double[] x, double[] y) => Math.Sqrt(x.Zip(y, (a, b) => (a - b) * (a - b)).Sum());
}
