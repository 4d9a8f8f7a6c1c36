using FedLearn.Privacy.Audit;
using FedLearn.Privacy.Pld;

namespace FedLearn.Privacy.Tests.Audit;

public sealed class GaussianPairPrivacyTests
{
    [Theory]
    [InlineData(0.5, 1e-5)]
    [InlineData(1.0, 1e-5)]
    [InlineData(3.0, 1e-6)]
    [InlineData(6.0, 1e-5)]
    public void Epsilon_EqualVariances_IsTheGaussianMechanismsEpsilon(double mu, double delta)
    {
        // Shifting both distributions or scaling them together changes nothing: only μ = |m₁ − m₀|/s counts.
        var epsilon = GaussianPairPrivacy.Epsilon(new FittedGaussian(0.3 + mu * 0.02, 0.02), new FittedGaussian(0.3, 0.02), delta);
        Tolerance.AssertRelative(GaussianPrivacy.Epsilon(mu, delta), epsilon, 1e-6);
    }

    [Fact]
    public void Epsilon_IsSymmetricInItsArguments_AndGrowsWithTheGap()
    {
        var q = new FittedGaussian(0, 1);
        var near = new FittedGaussian(1, 1.3);
        var far = new FittedGaussian(3, 1.3);
        Assert.Equal(GaussianPairPrivacy.Epsilon(near, q, 1e-5), GaussianPairPrivacy.Epsilon(q, near, 1e-5), 9);
        Assert.True(GaussianPairPrivacy.Epsilon(far, q, 1e-5) > GaussianPairPrivacy.Epsilon(near, q, 1e-5));
    }

    [Fact]
    public void Epsilon_UnequalVariances_MatchesNumericalHockeyStickIntegral()
    {
        var p = new FittedGaussian(1.5, 0.7);
        var q = new FittedGaussian(0, 1);
        const double epsilon = 1.2;
        // ∫ max(0, p − e^ε q) dx both ways, by the midpoint rule on a fine grid.
        double Integral(FittedGaussian a, FittedGaussian b)
        {
            double sum = 0;
            for (var x = -15.0; x < 15.0; x += 1e-4)
            {
                var m = x + 5e-5;
                sum += Math.Max(0, Pdf(a, m) - Math.Exp(epsilon) * Pdf(b, m)) * 1e-4;
            }
            return sum;
        }
        var expected = Math.Max(Integral(p, q), Integral(q, p));
        Tolerance.AssertRelative(expected, GaussianPairPrivacy.Delta(p, q, epsilon), 1e-5);
    }

    [Fact]
    public void Epsilon_SameDistribution_IsZero_DegenerateFit_IsInfinite()
    {
        Assert.Equal(0, GaussianPairPrivacy.Epsilon(new FittedGaussian(0, 1), new FittedGaussian(0, 1), 1e-5));
        Assert.Equal(double.PositiveInfinity, GaussianPairPrivacy.Epsilon(new FittedGaussian(0.1, 0), new FittedGaussian(0, 1), 1e-5));
        Assert.Equal(double.PositiveInfinity, GaussianPairPrivacy.Epsilon(new FittedGaussian(double.NaN, 1), new FittedGaussian(0, 1), 1e-5));
        Assert.Throws<ArgumentOutOfRangeException>(() => GaussianPairPrivacy.Epsilon(new FittedGaussian(1, 1), new FittedGaussian(0, 1), double.NaN));
    }

    private static double Pdf(FittedGaussian g, double x) =>
        Math.Exp(-(x - g.Mean) * (x - g.Mean) / (2 * g.Std * g.Std)) / (g.Std * Math.Sqrt(2 * Math.PI));
}
