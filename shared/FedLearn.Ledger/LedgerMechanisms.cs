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
    /// before masking, so the released sum carries the noise of every survivor. An entry records the attempt's charge,
    /// fixed when it opened: σ of the s_min − c(n) certainly honest shares of the fewest survivors s_min the round
    /// unmasks with (n the cohort, c(n) its colluders under the population fraction ρ; ⌊ρ·n⌋ before accounting version 6), over the sensitivity with its rounding inflation — a
    /// lower bound on the noise the released sum carries. It is accounted as one <c>SubsampledGaussianStep(q, σ)</c> (and
    /// with q = 1 against the coordinator): the sum of discrete Gaussians is charged with its τ term (Kairouz, Liu &amp;
    /// Steinke 2021, Prop. 14), negligible at the per-participant grid variances FedLearn enforces, σ_int² ≥ 8.
    /// The subsampled bound is the continuous Gaussian's, which docs/threat-model.md states is not proven for discrete
    /// noise in every direction.
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
