using FedLearn.Privacy.Audit;

namespace FedLearn.Privacy.Tests.Audit;

public sealed class CanaryScoringTests
{
    private static readonly byte[] Seed = [.. Enumerable.Range(1, AuditRandom.SeedBytes).Select(i => (byte)i)];

    [Fact]
    public void Directions_AreUnitVectors_ReproducibleFromTheSeed_AndNearlyOrthogonal()
    {
        var a = CanaryDirections.Direction(Seed, 0, 4000);
        var again = CanaryDirections.Direction(Seed, 0, 4000);
        var b = CanaryDirections.Direction(Seed, 1, 4000);
        Assert.Equal(a, again);
        Assert.Equal(1.0, Math.Sqrt(a.Sum(v => v * v)), 12);
        // Two independent isotropic directions: cosine ~ N(0, 1/d), so |cos| < 5/√d with overwhelming probability.
        Assert.InRange(Math.Abs(CanaryDirections.Cosine(a, b)), 0, 5 / Math.Sqrt(4000));
        Assert.NotEqual(a, CanaryDirections.Direction([.. Seed.Reverse()], 0, 4000));
    }

    [Fact]
    public void Update_HasTheClipNormAtMost_AndPointsAlongTheDirection()
    {
        var update = CanaryDirections.Update(Seed, 3, 1000, 2.5);
        var norm = Math.Sqrt(update.Sum(v => (double)v * v));
        Assert.InRange(norm, 2.5 * (1 - 1e-5), 2.5);
        Assert.Equal(1.0, CanaryDirections.Cosine(CanaryDirections.Direction(Seed, 3, 1000), [.. update.Select(v => (double)v)]), 6);
    }

    [Fact]
    public void Score_InsertedCanary_LinesUpWithTheDelta_UnchangedRoundsAreSkipped()
    {
        const int d = 500;
        var canary = CanaryDirections.Update(Seed, 0, d, 1.0);
        var theta0 = new float[d];
        var theta1 = theta0.Select((v, i) => v + canary[i]).ToArray();
        var theta2 = (float[])theta1.Clone();
        var (final, iterates) = CanaryScoring.Score(Seed, 0, [theta0, theta1, theta2]);
        Assert.Equal(1.0, final, 6);
        Assert.Equal(1.0, iterates, 6);
        Assert.Equal(1, CanaryScoring.ChangedRounds([theta0, theta1, theta2]));
        var (unseenFinal, _) = CanaryScoring.Score(Seed, 7, [theta0, theta1, theta2]);
        Assert.InRange(Math.Abs(unseenFinal), 0, 5 / Math.Sqrt(d));
        Assert.Throws<InvalidOperationException>(() => CanaryScoring.Score(Seed, 0, [theta0, (float[])theta0.Clone()]));
    }

    [Fact]
    public void AllIteratesNull_OneRound_IsTheFinalModelNull_TwoRounds_HasTheKnownMean()
    {
        var one = NullDistribution.AllIterates(100, 1);
        Assert.Equal(0, one.Mean, 6);
        Assert.Equal(0.1, one.Std, 5);
        // E max(Z₁, Z₂) = 1/√π, Var = 1 − 1/π.
        var two = NullDistribution.AllIterates(100, 2);
        Assert.Equal(1 / Math.Sqrt(Math.PI) / 10, two.Mean, 5);
        Assert.Equal(Math.Sqrt(1 - 1 / Math.PI) / 10, two.Std, 5);
    }
}
