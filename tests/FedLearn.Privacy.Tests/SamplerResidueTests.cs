namespace FedLearn.Privacy.Tests;

public sealed class SamplerResidueTests
{
    [Fact]
    public void Delta_IsOnePlusExpEpsilonTimesTheDistance()
    {
        Assert.Equal((1 + Math.Exp(3)) * 1e-9, SamplerResidue.Delta(3, 1e-9), 1e-20);
        Assert.Equal(0, SamplerResidue.Delta(5, 0));
        Assert.Equal(1, SamplerResidue.Delta(700, 1e-9)); // capped: a δ above 1 says nothing
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
}
