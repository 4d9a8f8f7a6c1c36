namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// How many colluders a secure-aggregation cohort is assumed to hold (review-10 S2). The adversary is a set of
/// participants fixed before the session, at most a fraction ρ of the participants connected at every draw; the cohort is
/// a fresh Poisson draw, so the colluders in a cohort of n are random, not bounded by ⌊ρ·n⌋. Given n the cohort is a
/// uniform n-subset of the N connected, so the colluders in it, X, are hypergeometric with at most ρ·N marked. An attempt
/// credits the noise of s_min − c(n) survivors, with c(n) the smallest c for which E[(Binomial(n, ρ) − c)₊] ≤ δ_c, and pays
/// δ_c in δ (a union bound over the attempts).
/// </summary>
/// <remarks>
/// Why E[(Y − c)₊] and not the binomial tail P[Y &gt; c]: sampling without replacement is dominated by sampling with
/// replacement in the convex order (Hoeffding 1963, "Probability inequalities for sums of bounded random variables",
/// Theorem 4: E f(X) ≤ E f(Y) for continuous convex f, with Y ~ Binomial(n, K/N)); f(x) = (x − c)₊ is convex and
/// increasing, and Binomial(n, p) is stochastically increasing in p, so for integer X,
/// P[X &gt; c] ≤ E[(X − c)₊] ≤ E[(Binomial(n, K/N) − c)₊] ≤ E[(Binomial(n, ρ) − c)₊]. The tail alone does not carry over
/// from the binomial to the hypergeometric in general; this bound does, and it is also ≥ P[Binomial(n, ρ) &gt; c], so
/// c(n) also meets the binomial tail condition. E[(Y − c)₊] = Σ_{k &gt; c} P[Y ≥ k] (integer Y), summed here from the far
/// tail down from the exact pmf in log space, as <c>FedLearn.Privacy.BatchSizeBound</c> does for the DP-SGD batch.
/// </remarks>
public static class ColluderBound
{
    /// <summary>
    /// δ_c = 2⁻⁴⁰ per attempt: the same failure probability the SecAgg+ graph is chosen for
    /// (<see cref="SecAggParameters.Choose"/>, Bell et al. 2020, §3). 10⁴ attempts add 9·10⁻⁹ to δ.
    /// </summary>
    public static readonly double FailureProbability = Math.ScaleB(1.0, -40);

    /// <summary>
    /// c(n): the smallest c with E[(Binomial(n, ρ) − c)₊] ≤ <paramref name="failureProbability"/>, so a cohort of
    /// <paramref name="cohort"/> drawn from a population with at most the fraction ρ colluding holds more than c colluders
    /// with probability at most δ_c (class remarks). 0 when ρ = 0. A floating-point near-tie resolves upwards (a larger c
    /// only shrinks the bound).
    /// </summary>
    /// <exception cref="ArgumentException">n &lt; 1, ρ outside [0, 1) or δ_c outside (0, 1).</exception>
    public static int Colluders(int cohort, double colluderFraction, double failureProbability)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cohort, 1);
        if (!(colluderFraction is >= 0 and < 1))
        {
            throw new ArgumentException($"The colluder fraction must be in [0, 1), got {colluderFraction}.", nameof(colluderFraction));
        }

        if (!(failureProbability > 0 && failureProbability < 1))
        {
            throw new ArgumentException($"The failure probability must be in (0, 1), got {failureProbability}.", nameof(failureProbability));
        }

        if (colluderFraction == 0)
        {
            return 0; // Binomial(n, 0) is 0: no colluder can be drawn
        }

        // ln P[Y = k] for Y ~ Binomial(n, ρ).
        var logPmf = BinomialLogPmf.Compute(cohort, colluderFraction);

        // Walk c down from n: tail = P[Y > c − 1] = P[Y ≥ c], excess(c − 1) = excess(c) + P[Y ≥ c]; excess(n) = 0.
        // The 2⁻²⁰ relative guard absorbs the rounding of the pmf.
        var guarded = failureProbability * (1 - Math.ScaleB(1.0, -20));
        var (tail, excess) = (0.0, 0.0);
        for (var c = cohort; c > 0; c--)
        {
            tail += Math.Exp(logPmf[c]);
            excess += tail;
            if (!(excess <= guarded))
            {
                return c;
            }
        }

        return 0;
    }

    /// <summary>c(n) at the default δ_c (<see cref="FailureProbability"/>).</summary>
    public static int Colluders(int cohort, double colluderFraction) => Colluders(cohort, colluderFraction, FailureProbability);
}
