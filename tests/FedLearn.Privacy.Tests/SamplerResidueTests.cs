namespace FedLearn.Privacy.Tests;

public sealed class SamplerResidueTests
{
    [Fact]
    public void Delta_IsOnePlusExpEpsilonTimesTheDistance()
    {
        Assert.Equal((1 + Math.Exp(3)) * 1e-9, SamplerResidue.Delta(3, 1e-9), 1e-20);
        Assert.Equal(0, SamplerResidue.Delta(5, 0));
        Assert.Equal(1, SamplerResidue.Delta(700, 1e-9)); // capped: a δ above 1 says nothing
        Assert.Equal(0, SamplerResidue.Delta(800, 0)); // e^800 overflows; an exact sampler still costs nothing
    }

    [Theory]
    [InlineData(double.NaN, 1e-9)]
    [InlineData(-1.0, 1e-9)]
    [InlineData(double.PositiveInfinity, 1e-9)]
    [InlineData(1.0, double.NaN)]
    [InlineData(1.0, -1e-9)]
    [InlineData(1.0, 1.5)]
    public void Delta_DegenerateInputs_Refuse(double epsilon, double distance) =>
        Assert.Throws<ArgumentException>(() => SamplerResidue.Delta(epsilon, distance));

    [Fact]
    public void TotalDelta_AddsTheResidueToDelta_AndCapsAtOne()
    {
        Assert.Equal(1e-5 + ((1 + Math.Exp(2)) * 1e-9), SamplerResidue.TotalDelta(1e-5, 2, 1e-9), 1e-20);
        Assert.Equal(1e-5, SamplerResidue.TotalDelta(1e-5, 2, 0));
        Assert.Equal(1, SamplerResidue.TotalDelta(0.5, 40, 1e-9));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void TotalDelta_DegenerateDelta_Refuses(double delta) =>
        Assert.Throws<ArgumentException>(() => SamplerResidue.TotalDelta(delta, 1, 1e-9));
}

public sealed class CalibrationAttemptsTests
{
    [Theory]
    [InlineData(0, 4)]   // at least one round, three reruns
    [InlineData(4, 7)]
    [InlineData(12, 15)]
    [InlineData(13, 17)] // ⌈13/4⌉ = 4 reruns
    [InlineData(30, 38)] // the demo's 30 rounds: 8 reruns
    public void For_IsThePlannedRoundsPlusMaxOfThreeAndAQuarter(int rounds, int attempts)
    {
        Assert.Equal(attempts, CalibrationAttempts.For(rounds));
        Assert.Equal(attempts - Math.Max(1, rounds), CalibrationAttempts.RerunAllowance(rounds));
    }
}
