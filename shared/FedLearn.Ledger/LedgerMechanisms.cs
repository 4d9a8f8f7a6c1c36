namespace FedLearn.Ledger;

/// <summary>Participant-level mechanism names an entry may carry.</summary>
public static class LedgerMechanisms
{
    /// <summary>
    /// The coordinator adds Gaussian noise (std = σ × sensitivity) to the sum of clipped updates of a
    /// Poisson-subsampled cohort: one <c>SubsampledGaussianStep(q, σ)</c> per entry.
    /// </summary>
    public const string CentralGaussian = "central_gaussian";

    /// <summary>
    /// Secure aggregation with distributed noise: each participant adds discrete Gaussian noise on the integer grid
    /// before masking, so the released sum carries the noise of every survivor. An entry records the noise actually
    /// present: σ = (std of the survivors' summed noise) / sensitivity, where the sensitivity includes the rounding
    /// inflation. It is accounted as one <c>SubsampledGaussianStep(q, σ)</c>: the discrete Gaussian satisfies the same
    /// concentrated-DP bound as the continuous one (Canonne, Kamath &amp; Steinke 2020, Theorem 4), and the sum of the
    /// survivors' discrete Gaussians is close to one with the summed variance (Kairouz, Liu &amp; Steinke 2021, Theorem 1;
    /// its slack τ is below 10⁻¹⁰⁰ at the per-participant grid variances FedLearn uses, σ_int² ≥ 1000).
    /// </summary>
    public const string DistributedDiscreteGaussian = "distributed_discrete_gaussian";

    /// <summary>
    /// No participant-level mechanism: the session declares only an example-level guarantee, so the entry records no
    /// participant-level parameters or ε (a participant's whole data is not protected; its individual records are).
    /// </summary>
    public const string None = "none";

    /// <summary>A mechanism whose participant-level ε the verifier recomputes.</summary>
    public static bool IsAccountable(string? mechanism) => mechanism is CentralGaussian or DistributedDiscreteGaussian;

    public static bool IsKnown(string? mechanism) => IsAccountable(mechanism) || mechanism == None;
}
