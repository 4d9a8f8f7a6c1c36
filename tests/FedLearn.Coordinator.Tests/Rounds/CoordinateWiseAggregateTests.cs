using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;

namespace FedLearn.Coordinator.Tests.Rounds;

public sealed class CoordinateWiseAggregateTests
{
    [Fact]
    public void Median_OddCount_IsTheMiddleValuePerCoordinateWhateverTheWeights()
    {
        var median = new CoordinateWiseAggregate(2, double.PositiveInfinity, trimFraction: null);
        median.Add([1f, 30f], 1);
        median.Add([2f, 10f], 1);
        median.Add([-5000f, 20f], long.MaxValue / 2);

        Assert.Equal([1f, 20f], median.Average());
    }

    [Fact]
    public void Median_EvenCount_AveragesTheTwoMiddleValues()
    {
        var median = new CoordinateWiseAggregate(1, double.PositiveInfinity, trimFraction: null);
        foreach (var value in new[] { 4f, 1f, 3f, 100f })
        {
            median.Add([value], 1);
        }

        Assert.Equal([3.5f], median.Average());
    }

    [Fact]
    public void TrimmedMean_OneHostileAmongFive_RemovesItsExtremeValue()
    {
        var trimmed = new CoordinateWiseAggregate(1, maxUpdateNorm: 1e6, trimFraction: 0.1);
        foreach (var value in new[] { 1f, 2f, 3f, 4f, -1e30f })
        {
            trimmed.Add([value], 1);
        }

        // ⌈0.1·5⌉ = 1 value trimmed at each end: -1e30 (bounded to -1e6) and 4 go, the mean of [1, 2, 3] stays.
        Assert.Equal([2f], trimmed.Average());
    }

    [Theory]
    [InlineData(1, 0.1, 0)]
    [InlineData(2, 0.1, 0)]
    [InlineData(3, 0.1, 1)]
    [InlineData(10, 0.1, 1)]
    [InlineData(11, 0.1, 2)]
    [InlineData(10, 0.49, 4)]
    public void Trimmed_CountAndFraction_NeverRemovesEverything(int count, double fraction, int expected)
    {
        Assert.Equal(expected, CoordinateWiseAggregate.Trimmed(count, fraction));
    }

    [Fact]
    public void For_SessionLimits_PicksTheRule()
    {
        var limits = RobustnessDefinition.Default;

        Assert.IsType<WeightedUpdateSum>(UpdateAggregate.For(limits, 3));
        Assert.IsType<CoordinateWiseAggregate>(UpdateAggregate.For(limits with { Aggregation = RobustnessDefinition.Median }, 3));
        Assert.IsType<CoordinateWiseAggregate>(UpdateAggregate.For(limits with { Aggregation = RobustnessDefinition.TrimmedMean }, 3));
    }

    [Fact]
    public void Add_WeightSumOverflow_Throws()
    {
        var median = new CoordinateWiseAggregate(1, double.PositiveInfinity, trimFraction: null);
        median.Add([1f], long.MaxValue);

        Assert.Throws<OverflowException>(() => median.Add([1f], 1));
        Assert.Equal(1, median.Count);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void Constructor_TrimFractionOutOfRange_Throws(double fraction)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CoordinateWiseAggregate(1, 1, fraction));
    }
}
