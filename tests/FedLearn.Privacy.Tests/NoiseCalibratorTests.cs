namespace FedLearn.Privacy.Tests;

public sealed class NoiseCalibratorTests
{
    [Theory]
    [InlineData(AccountantKind.Rdp, 1.0, 0.01, 1000)]
    [InlineData(AccountantKind.Rdp, 3.0, 256 / 60000.0, 14063)]
    [InlineData(AccountantKind.Pld, 2.0, 0.01, 200)]
    public void CalibrateNoiseMultiplier_ReturnsSmallestSigmaMeetingTarget(
        AccountantKind kind, double target, double q, int rounds)
    {
        const double tolerance = 1e-3;
        var sigma = NoiseCalibrator.CalibrateNoiseMultiplier(target, 1e-5, q, rounds, kind, tolerance);
        var accountant = Accountants.Create(kind);

        Assert.True(accountant.GetEpsilon([new SubsampledGaussianStep(q, sigma, rounds)], 1e-5) <= target);
        var justBelow = sigma / (1 + 2 * tolerance);
        Assert.True(accountant.GetEpsilon([new SubsampledGaussianStep(q, justBelow, rounds)], 1e-5) > target);
    }

    [Fact]
    public void CalibrateNoiseMultiplier_PldNeedsNoMoreNoiseThanRdp()
    {
        var rdp = NoiseCalibrator.CalibrateNoiseMultiplier(2.0, 1e-5, 0.01, 200, AccountantKind.Rdp);
        var pld = NoiseCalibrator.CalibrateNoiseMultiplier(2.0, 1e-5, 0.01, 200, AccountantKind.Pld);

        Assert.True(pld <= rdp, $"PLD sigma {pld} > RDP sigma {rdp}");
    }

    [Fact]
    public void CalibrateNoiseMultiplier_UnreachableTarget_ThrowsClearError()
    {
        var ex = Assert.Throws<ArgumentException>(
            () => NoiseCalibrator.CalibrateNoiseMultiplier(1e-3, 1e-5, 1.0, 1_000_000, AccountantKind.Rdp));

        Assert.Contains("unreachable", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.0, 1e-5, 0.1, 10)]
    [InlineData(1.0, 0.0, 0.1, 10)]
    [InlineData(1.0, 1e-5, 0.0, 10)]
    [InlineData(1.0, 1e-5, 0.1, 0)]
    [InlineData(double.NaN, 1e-5, 0.1, 10)]
    [InlineData(double.PositiveInfinity, 1e-5, 0.1, 10)]
    [InlineData(-1.0, 1e-5, 0.1, 10)]
    [InlineData(1.0, double.NaN, 0.1, 10)]
    [InlineData(1.0, 1.0, 0.1, 10)]
    [InlineData(1.0, -1e-5, 0.1, 10)]
    [InlineData(1.0, 1e-5, double.NaN, 10)]
    [InlineData(1.0, 1e-5, 1.5, 10)]
    [InlineData(1.0, 1e-5, 5e-324, 10)]
    public void CalibrateNoiseMultiplier_InvalidArguments_Throw(double target, double delta, double q, int rounds)
    {
        Assert.ThrowsAny<ArgumentException>(
            () => NoiseCalibrator.CalibrateNoiseMultiplier(target, delta, q, rounds, AccountantKind.Rdp));
    }
}
