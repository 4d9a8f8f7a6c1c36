namespace FedLearn.Privacy.Tests;

public sealed class SubsampledGaussianStepTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(-0.1)]
    [InlineData(1.0000001)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(5e-324)] // subnormal: 1/q overflows in σ² log(1/q − 1)
    public void Constructor_SamplingRateOutsideUnitInterval_ThrowsWithClearMessage(double q)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SubsampledGaussianStep(q, 1.0));
        Assert.Equal("SamplingRate", ex.ParamName);
        Assert.Contains("(0, 1]", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e-170)] // squares to 0: the RDP series became NaN, which `ε > budget` let through
    [InlineData(9.9e-7)]
    [InlineData(1.01e8)]
    [InlineData(1e300)] // squares to ∞: z0 = ∞·log(1/q − 1) is NaN at q = 1/2
    public void Constructor_NonPositiveOrNonFiniteNoise_ThrowsWithClearMessage(double sigma)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SubsampledGaussianStep(0.1, sigma));
        Assert.Equal("NoiseMultiplier", ex.ParamName);
        Assert.Contains("> 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void Constructor_RepetitionsBelowOne_ThrowsWithClearMessage(int repetitions)
    {
        var ex = Assert.Throws<ArgumentException>(() => new SubsampledGaussianStep(0.1, 1.0, repetitions));
        Assert.Equal("Repetitions", ex.ParamName);
        Assert.Contains(">= 1", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccountantKind.Rdp, SubsampledGaussianStep.MinNoiseMultiplier, 0.5)]
    [InlineData(AccountantKind.Rdp, SubsampledGaussianStep.MinNoiseMultiplier, 1e-9)]
    [InlineData(AccountantKind.Rdp, SubsampledGaussianStep.MinNoiseMultiplier, 1.0)]
    [InlineData(AccountantKind.Rdp, SubsampledGaussianStep.MaxNoiseMultiplier, 0.5)]
    [InlineData(AccountantKind.Rdp, SubsampledGaussianStep.MaxNoiseMultiplier, 1.0)]
    [InlineData(AccountantKind.Pld, SubsampledGaussianStep.MinNoiseMultiplier, 1.0)]
    [InlineData(AccountantKind.Pld, SubsampledGaussianStep.MaxNoiseMultiplier, 0.5)]
    [InlineData(AccountantKind.Pld, SubsampledGaussianStep.MaxNoiseMultiplier, 1.0)]
    public void GetEpsilon_AtTheNoiseBounds_IsNeverNaN(AccountantKind kind, double sigma, double q)
    {
        var epsilon = Accountants.Create(kind).GetEpsilon([new SubsampledGaussianStep(q, sigma, 3)], 1e-5);
        Assert.False(double.IsNaN(epsilon));
        Assert.True(epsilon >= 0);
        if (sigma == SubsampledGaussianStep.MinNoiseMultiplier && q == 1.0)
        {
            Assert.True(epsilon > 1e6, $"ε = {epsilon}"); // no noise to speak of: must not look cheap
        }
    }

    [Theory]
    [InlineData(AccountantKind.Rdp)]
    [InlineData(AccountantKind.Pld)]
    public void Accountants_DegenerateDeltaOrEpsilon_Refuse(AccountantKind kind)
    {
        var accountant = Accountants.Create(kind);
        IReadOnlyList<SubsampledGaussianStep> steps = [new SubsampledGaussianStep(0.1, 1.0)];
        foreach (var delta in new[] { double.NaN, 0.0, 1.0, -1e-5, double.PositiveInfinity })
        {
            Assert.ThrowsAny<ArgumentException>(() => accountant.GetEpsilon(steps, delta));
        }

        foreach (var epsilon in new[] { double.NaN, -0.1, double.PositiveInfinity })
        {
            Assert.ThrowsAny<ArgumentException>(() => accountant.GetDelta(steps, epsilon));
        }
    }

    [Fact]
    public void Constructor_ValidValues_KeepsThemAndDefaultsToOneRepetition()
    {
        var step = new SubsampledGaussianStep(1.0, 0.5);

        Assert.Equal((1.0, 0.5, 1), (step.SamplingRate, step.NoiseMultiplier, step.Repetitions));
        Assert.Equal(new SubsampledGaussianStep(1.0, 0.5, 1), step);
    }
}
