namespace FedLearn.Privacy;

/// <summary>
/// ε of a sequence of Gaussian mechanisms WITHOUT amplification by sampling: every step with q = 1. This is the guarantee
/// against whoever chose the sample and knows it — the coordinator of a secure-aggregation session, which draws the cohort
/// (Kairouz et al. 2021, "Practical and Private (Deep) Learning without Sampling or Shuffling", §1: amplification by
/// sampling needs the sample to stay secret from the adversary). A participant that contributed to every step is the worst
/// case. Each step is the Gaussian mechanism with noise multiplier σᵢ (sensitivity 1 after scaling), whose RDP is
/// α/(2σᵢ²) (Mironov 2017, "Rényi Differential Privacy", Proposition 7) and whose PLD is exact (both accountants treat
/// q = 1 as the plain Gaussian).
/// </summary>
public static class UnamplifiedGaussianComposition
{
    /// <summary>
    /// ε at <paramref name="delta"/> for the composition of q = 1 Gaussian steps with the given noise multipliers; 0 for no
    /// steps. A non-finite or non-positive σ or δ outside (0, 1) throws: a guarantee that cannot be computed is refused.
    /// </summary>
    public static double Epsilon(IPrivacyAccountant accountant, IEnumerable<double> noiseMultipliers, double delta)
    {
        ArgumentNullException.ThrowIfNull(accountant);
        ArgumentNullException.ThrowIfNull(noiseMultipliers);
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1).");
        }
        // SubsampledGaussianStep refuses a NaN, infinite or non-positive σ; identical σ are merged into one step group.
        var steps = noiseMultipliers
            .GroupBy(sigma => sigma)
            .Select(g => new SubsampledGaussianStep(1.0, g.Key, g.Count()))
            .ToList();
        return steps.Count == 0 ? 0 : accountant.GetEpsilon(steps, delta);
    }
}
