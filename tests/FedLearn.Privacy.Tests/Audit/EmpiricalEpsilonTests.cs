using FedLearn.Privacy.Audit;
using FedLearn.Privacy.Pld;

namespace FedLearn.Privacy.Tests.Audit;

public sealed class EmpiricalEpsilonTests
{
    private static byte[] Seed(byte b) => [.. Enumerable.Repeat(b, AuditRandom.SeedBytes)];

    [Fact]
    public void Estimate_ScoresOfAGaussianMechanism_RecoverItsEpsilon_LowerLimitBelow()
    {
        // Scores drawn as the theory says a Gaussian mechanism with μ = 2 gives them: N(μ, 1) against the null N(0, 1).
        using var random = new AuditRandom(Seed(9), "test", 0);
        var canaries = Enumerable.Range(0, 4000).Select(_ => 2.0 + random.NextGaussian()).ToList();
        var estimate = EmpiricalEpsilon.Estimate(canaries, new FittedGaussian(0, 1), [], 1e-5, 0.95, Seed(1), 0, resamples: 200);
        Tolerance.AssertRelative(GaussianPrivacy.Epsilon(2.0, 1e-5), estimate.Epsilon, 0.1);
        Assert.True(estimate.EpsilonLower <= estimate.Epsilon);
        Assert.True(estimate.EpsilonLower > 0.8 * estimate.Epsilon, $"lower {estimate.EpsilonLower} vs {estimate.Epsilon}");
    }

    [Fact]
    public void Estimate_IsReproducibleFromTheSeed_AndUsesTheUnseenCanariesWhenGiven()
    {
        using var random = new AuditRandom(Seed(3), "test", 0);
        var canaries = Enumerable.Range(0, 50).Select(_ => 1.0 + random.NextGaussian()).ToList();
        var unseen = Enumerable.Range(0, 50).Select(_ => random.NextGaussian()).ToList();
        var first = EmpiricalEpsilon.Estimate(canaries, new FittedGaussian(0, 1), unseen, 1e-5, 0.95, Seed(1), 0, resamples: 200);
        var second = EmpiricalEpsilon.Estimate(canaries, new FittedGaussian(0, 1), unseen, 1e-5, 0.95, Seed(1), 0, resamples: 200);
        Assert.Equal(first, second);
        Assert.Equal(FittedGaussian.Fit(unseen), first.Null);
        Assert.Throws<ArgumentException>(() => EmpiricalEpsilon.Estimate(canaries, new FittedGaussian(0, 1), [0.1], 1e-5, 0.95, Seed(1), 0));
        Assert.Throws<ArgumentException>(() => EmpiricalEpsilon.Estimate([1.0], new FittedGaussian(0, 1), [], 1e-5, 0.95, Seed(1), 0));
        Assert.Throws<ArgumentException>(() => EmpiricalEpsilon.Estimate([1.0, double.NaN], new FittedGaussian(0, 1), [], 1e-5, 0.95, Seed(1), 0));
    }

    [Fact]
    public void SimulatedSession_FinalModelEstimate_IsNearTheComposedGaussiansEpsilon_AndFallsWithMoreNoise()
    {
        // q = 1: every canary in every round, so the final model is one Gaussian mechanism with μ = √T/σ (T-fold composition).
        const int rounds = 4;
        const double sigma = 2.0;
        var truth = GaussianPrivacy.Epsilon(Math.Sqrt(rounds) / sigma, 1e-5);
        var threats = AuditSimulation.Audit(Seed(5), dimension: 20000, canaries: 200, unseen: 0, rounds, samplingRate: 1.0,
            noiseMultiplier: sigma, delta: 1e-5, confidence: 0.95, epsilonBound: truth, resamples: 200);
        var (final, iterates) = (threats[0], threats[1]);
        Tolerance.AssertRelative(truth, final.EpsilonEstimate, 0.25);
        Assert.True(iterates.EpsilonEstimate < truth, $"all-iterates estimate {iterates.EpsilonEstimate} vs {truth}");
        Assert.All(threats, t => Assert.False(t.Flagged, $"{t.Name} flagged at the true ε: lower limit {t.EpsilonLower}"));
        // The ledger claiming half the true ε is caught.
        Assert.Contains(threats, t => t.EpsilonLower > truth / 2);
        var noisier = AuditSimulation.Audit(Seed(5), dimension: 20000, canaries: 200, unseen: 0, rounds, samplingRate: 1.0,
            noiseMultiplier: 2 * sigma, delta: 1e-5, confidence: 0.95, epsilonBound: truth, resamples: 200);
        Assert.True(noisier[0].EpsilonEstimate < final.EpsilonEstimate);
    }
}
