namespace FedLearn.Privacy.Audit;

/// <summary>
/// The audit run against DP-FedAvg with central Gaussian noise simulated in memory: only canaries take part, each joins
/// each round with probability q, the round releases (Σ clipped canary updates + N(0, σ²C²I))/(q·N). It measures what the
/// audit can see (its statistical power) without a federation: `fedlearn audit power` and the unit tests use it. The real
/// audit (`fedlearn audit run`) runs the same statistics on a real session's released models.
/// </summary>
public static class AuditSimulation
{
    /// <summary>The released models θ₀ … θ_T of one simulated session.</summary>
    public static List<float[]> Models(ReadOnlySpan<byte> seed, int dimension, int canaries, int rounds, double samplingRate, double noiseMultiplier)
    {
        const double clipNorm = 1.0;
        var key = seed.ToArray();
        var updates = Enumerable.Range(0, canaries).Select(i => CanaryDirections.Update(key, i, dimension, clipNorm)).ToArray();
        using var random = new AuditRandom(seed, "simulation", 0);
        var model = new float[dimension];
        var models = new List<float[]> { (float[])model.Clone() };
        var expected = samplingRate * canaries;
        for (var t = 0; t < rounds; t++)
        {
            var sum = new double[dimension];
            foreach (var update in updates)
            {
                if (random.NextOpenUnit() < samplingRate)
                {
                    for (var i = 0; i < dimension; i++)
                    {
                        sum[i] += update[i];
                    }
                }
            }
            for (var i = 0; i < dimension; i++)
            {
                model[i] += (float)((sum[i] + noiseMultiplier * clipNorm * random.NextGaussian()) / expected);
            }
            models.Add((float[])model.Clone());
        }
        return models;
    }

    /// <summary>One simulated session audited exactly as a real one (<see cref="CanaryAudit.Measure"/>), with <paramref name="unseen"/> unseen canaries (0: analytic null).</summary>
    public static IReadOnlyList<AuditThreatModel> Audit(
        byte[] seed, int dimension, int canaries, int unseen, int rounds, double samplingRate, double noiseMultiplier, double delta,
        double confidence, double epsilonBound, int resamples = EmpiricalEpsilon.DefaultResamples) =>
        CanaryAudit.Measure(seed, canaries, unseen, Models(seed, dimension, canaries, rounds, samplingRate, noiseMultiplier), delta, confidence,
            epsilonBound, resamples);
}
