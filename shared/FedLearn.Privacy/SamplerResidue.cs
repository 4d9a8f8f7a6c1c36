namespace FedLearn.Privacy;

/// <summary>
/// What a sampler's distance from its ideal distribution costs in δ. If M is (ε, δ)-DP and M' is within total
/// variation η of M on every input, then for every event S and neighbours x, x':
/// P[M'(x) ∈ S] ≤ P[M(x) ∈ S] + η ≤ e^ε·P[M(x') ∈ S] + δ + η ≤ e^ε·P[M'(x') ∈ S] + δ + (1 + e^ε)·η,
/// so M' is (ε, δ + (1 + e^ε)·η)-DP. Over a run the releases' distances add (replace them by their ideal versions one at
/// a time), so η is the sum over releases.
/// </summary>
public static class SamplerResidue
{
    /// <summary>(1 + e^ε)·η: what to add to δ for a run whose noise is within total variation η of the ideal noise.</summary>
    /// <exception cref="ArgumentException">ε not finite or negative, or η not in [0, 1].</exception>
    public static double Delta(double epsilon, double totalVariation)
    {
        if (!(epsilon >= 0 && double.IsFinite(epsilon)))
        {
            throw new ArgumentException($"Epsilon must be a finite number >= 0, got {epsilon}.", nameof(epsilon));
        }

        if (!(totalVariation is >= 0 and <= 1))
        {
            throw new ArgumentException($"The total variation distance must be in [0, 1], got {totalVariation}.", nameof(totalVariation));
        }

        // η = 0 costs nothing even where e^ε overflows (∞·0 would be NaN).
        return totalVariation == 0 ? 0 : Math.Min(1.0, (1 + Math.Exp(epsilon)) * totalVariation);
    }

    /// <summary>
    /// The δ at which ε truly holds for a run whose ideal mechanism is (ε, <paramref name="delta"/>)-DP and whose noise is
    /// within total variation <paramref name="totalVariation"/> of the ideal: min(1, δ + (1 + e^ε)·η) (the bound above).
    /// The ledger records it per entry (docs/ledger.md, <c>delta_total</c>); its verifiers recompute it with this formula.
    /// </summary>
    /// <exception cref="ArgumentException">δ not in (0, 1), ε not finite or negative, or η not in [0, 1].</exception>
    public static double TotalDelta(double delta, double epsilon, double totalVariation)
    {
        if (!(delta is > 0 and < 1))
        {
            throw new ArgumentException($"Delta must be in (0, 1), got {delta}.", nameof(delta));
        }

        return Math.Min(1.0, delta + Delta(epsilon, totalVariation));
    }

    /// <summary>
    /// min(1, δ_total + Σ δ_c): the δ once the run's good event may fail with probability at most Σ δ_c, an event of the
    /// sampling randomness alone (here: a secure cohort held more colluders than its noise was sized for, review-10 S2;
    /// union bound over the attempts). Conditioned on the good event G, which is independent of the data, the run is
    /// (ε, δ_total)-DP; so P[M(x) ∈ S] ≤ P[G]·P[M(x) ∈ S | G] + P[¬G] ≤ e^ε·P[M(x') ∈ S ∧ G] + δ_total + Σ δ_c
    /// ≤ e^ε·P[M(x') ∈ S] + δ_total + Σ δ_c. It adds directly, not scaled by (1 + e^ε).
    /// </summary>
    /// <exception cref="ArgumentException">δ_total or Σ δ_c not in [0, 1].</exception>
    public static double WithColluderTail(double totalDelta, double colluderTail)
    {
        if (!(totalDelta is >= 0 and <= 1) || !(colluderTail is >= 0 and <= 1))
        {
            throw new ArgumentException($"Both must be probabilities, got delta_total {totalDelta} and colluder tail {colluderTail}.", nameof(colluderTail));
        }

        return Math.Min(1.0, totalDelta + colluderTail);
    }
}
