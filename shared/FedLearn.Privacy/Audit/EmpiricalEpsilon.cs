namespace FedLearn.Privacy.Audit;

/// <summary>
/// ε_est of Andrew et al. 2024 ("One-shot Empirical Privacy Estimation for Federated Learning", §3 and §4): fit a Gaussian
/// to the inserted canaries' scores and one to the null, and take the ε at δ of the Gaussian mechanism that distinguishes
/// them. For the Gaussian mechanism the two have the same variance as d grows (the paper's Theorem 3.2: √d·cos tends to
/// N(μ, 1) against N(0, 1)), so the estimate is the Gaussian mechanism with μ = (m_canary − m_null)/s, s the larger of the
/// two fitted standard deviations. Taking the larger keeps a sampling fluctuation of the variances from inflating ε:
/// at small δ the ε of two normals with unequal variances is dominated by their tails, which K scores cannot measure.
/// It is an estimate, not a bound, so the audit also gives a one-sided bootstrap lower confidence limit and flags a
/// session only when that limit is above the ledger's ε.
/// </summary>
public static class EmpiricalEpsilon
{
    public const int DefaultResamples = 1000;

    /// <param name="canaryScores">The K inserted canaries' scores.</param>
    /// <param name="analyticNull">The analytic null, used when <paramref name="unseenScores"/> is empty.</param>
    /// <param name="unseenScores">The K′ unseen canaries' scores (empty: use <paramref name="analyticNull"/>).</param>
    /// <param name="seed">The audit's seed: the bootstrap resamples are drawn from it, so anyone holding the report can redo them.</param>
    /// <param name="streamId">Which bootstrap stream (one per threat model).</param>
    public static EpsilonEstimate Estimate(
        IReadOnlyList<double> canaryScores, FittedGaussian analyticNull, IReadOnlyList<double> unseenScores, double delta, double confidence,
        ReadOnlySpan<byte> seed, int streamId, int resamples = DefaultResamples)
    {
        ArgumentNullException.ThrowIfNull(canaryScores);
        ArgumentNullException.ThrowIfNull(unseenScores);
        if (!(confidence > 0.5 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must be in (0.5, 1).");
        }
        if (unseenScores.Count == 1)
        {
            throw new ArgumentException("An empirical null needs at least 2 unseen canaries (or none, for the analytic null).", nameof(unseenScores));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(resamples, 100);
        var empiricalNull = unseenScores.Count > 0;
        var canaries = FittedGaussian.Fit(canaryScores);
        var nullFit = empiricalNull ? FittedGaussian.Fit(unseenScores) : analyticNull;
        var epsilon = Epsilon(canaries, nullFit, delta);

        using var random = new AuditRandom(seed, "bootstrap", streamId);
        var estimates = new double[resamples];
        var canarySample = new double[canaryScores.Count];
        var unseenSample = new double[unseenScores.Count];
        for (var b = 0; b < resamples; b++)
        {
            Resample(canaryScores, canarySample, random);
            var nullSample = analyticNull;
            if (empiricalNull)
            {
                Resample(unseenScores, unseenSample, random);
                nullSample = FittedGaussian.Fit(unseenSample);
            }
            estimates[b] = Epsilon(FittedGaussian.Fit(canarySample), nullSample, delta);
        }
        Array.Sort(estimates);
        // The largest value with at least `confidence` of the bootstrap estimates at or above it.
        var lower = estimates[(int)Math.Floor((1 - confidence) * resamples)];
        return new(canaries, nullFit, epsilon, Math.Min(lower, epsilon), confidence, resamples);
    }

    /// <summary>The equal-variance Gaussian mechanism the two fits imply; canaries no more visible than the null give 0.</summary>
    public static double Epsilon(FittedGaussian canaries, FittedGaussian nullFit, double delta)
    {
        var std = Math.Max(canaries.Std, nullFit.Std);
        var shift = Math.Max(0, canaries.Mean - nullFit.Mean);
        return GaussianPairPrivacy.Epsilon(new FittedGaussian(nullFit.Mean + shift, std), new FittedGaussian(nullFit.Mean, std), delta);
    }

    private static void Resample(IReadOnlyList<double> from, double[] into, AuditRandom random)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] = from[random.NextInt(from.Count)];
        }
    }
}
