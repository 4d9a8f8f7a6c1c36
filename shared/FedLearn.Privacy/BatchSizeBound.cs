namespace FedLearn.Privacy;

/// <summary>
/// A fixed maximum batch size for DP-SGD, so that its float32 clip margin (<see cref="RoundingMargins.Float32GhostClipNorm"/>)
/// does not depend on the realised Poisson batch size B: B is correlated with the protected record's inclusion in a step,
/// so a clip norm c(B) would move the other records' clipped sum with that inclusion (review-10 S9). Instead c is sized
/// once for B_max, the smallest b with P[Binomial(n, q) &gt; b] ≤ p_tail, and a step whose realised B exceeds B_max is
/// skipped. The skip costs δ by the total variation argument of <see cref="SamplerResidue"/>: the real step differs from
/// one that never skips (and clips every batch within C) only on {B &gt; B_max}, of probability ≤ p_tail on every input, so
/// each step adds p_tail to the summed distance η.
/// </summary>
public static class BatchSizeBound
{
    /// <summary>
    /// p_tail = 2⁻⁶⁰ per step: 10⁶ steps cost (1 + e^ε)·10⁶·2⁻⁶⁰ ≈ 10⁻¹² at ε = 8, negligible beside δ, while B_max stays
    /// within a few standard deviations of the mean (n = 60000, qn = 64: B_max = 146, c ≈ C·(1 − 0.26%) against 1 − 0.05% at B = 64).
    /// </summary>
    public static readonly double TailProbability = Math.ScaleB(1.0, -60);

    /// <summary>
    /// B_max = the smallest integer b with P[Binomial(n, q) &gt; b] ≤ <paramref name="tailProbability"/>, computed from the
    /// binomial pmf summed from the top (the far tail first, so the small terms are not lost). A floating-point near-tie
    /// resolves upwards (a larger b only shrinks the tail), so the tail at the returned b is ≤ p_tail. The DP-SGD sampler
    /// includes each record with p = ⌊q·2⁵³⌋/2⁵³ ≤ q; Binomial(n, p) is stochastically dominated by Binomial(n, q)
    /// (couple the two by thinning), so its tail at b is no larger.
    /// </summary>
    /// <param name="records">n, the participant's record count (public under zero-out).</param>
    /// <param name="samplingRate">q in (0, 1].</param>
    /// <param name="tailProbability">p_tail in (0, 1).</param>
    /// <exception cref="ArgumentException">n &lt; 1, q outside (0, 1] or p_tail outside (0, 1).</exception>
    public static int Maximum(int records, double samplingRate, double tailProbability)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(records, 1);
        if (!(samplingRate > 0 && samplingRate <= 1))
        {
            throw new ArgumentException($"The sampling rate must be in (0, 1], got {samplingRate}.", nameof(samplingRate));
        }

        if (!(tailProbability > 0 && tailProbability < 1))
        {
            throw new ArgumentException($"The tail probability must be in (0, 1), got {tailProbability}.", nameof(tailProbability));
        }

        if (samplingRate == 1)
        {
            return records; // B = n always
        }

        // ln P[X = k] for X ~ Binomial(n, q).
        var logPmf = FedLearn.SecureAggregation.Noise.BinomialLogPmf.Compute(records, samplingRate);

        // tail(b) = P[X > b]; tail(n) = 0. Walk b down while the tail stays below p_tail (with a 2⁻²⁰ relative guard
        // against the rounding in the pmf).
        var guarded = tailProbability * (1 - Math.ScaleB(1.0, -20));
        var tail = 0.0;
        for (var b = records; b > 0; b--)
        {
            tail += Math.Exp(logPmf[b]);
            if (!(tail <= guarded))
            {
                return b;
            }
        }

        return 0;
    }

    /// <summary>The summed skip probability of <paramref name="steps"/> DP-SGD steps, steps·p_tail, at most 1.</summary>
    public static double StepsDistance(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        return Math.Min(1, steps * TailProbability);
    }
}
