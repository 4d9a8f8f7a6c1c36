namespace FedLearn.Ledger;

/// <summary>
/// What a ledger's figures include and the verifier recomputes, named by the header's <c>accounting_version</c>
/// (docs/ledger.md). A ledger keeps the version it was created with, so one written before a change still verifies as it
/// was sealed.
/// </summary>
public static class LedgerAccountingVersions
{
    /// <summary>
    /// Version 1 (the header has no <c>accounting_version</c>): ε per entry at the header's δ, for the ideal discrete
    /// Gaussian noise; the samplers' total variation distance is not in δ.
    /// </summary>
    public const int EpsilonOnly = 1;

    /// <summary>
    /// Version 2: each participant-level entry also records its noise's total variation distance from the ideal
    /// (<c>sampler_tv_distance</c>) and the δ that pays for it (<c>delta_total</c>, and
    /// <c>delta_total_against_coordinator</c> with secure aggregation), which the verifier recomputes.
    /// </summary>
    public const int SamplerResidueInDelta = 2;

    /// <summary>
    /// Version 3: as version 2, and each participant-level entry also records the inputs its sensitivity, its σ (secure
    /// aggregation: the honest shares' noise, Kairouz, Liu &amp; Steinke 2021, Prop. 14) and its sampler distance are
    /// computed from (d, γ, σ_int²; with secure aggregation also D, t, s_min, a, ρ), so the verifier re-derives them
    /// instead of trusting them (<see cref="NoiseDerivationAudit"/>).
    /// </summary>
    public const int NoiseInputsRecorded = 3;

    /// <summary>
    /// Version 4: as the versions before it (the noise inputs of version 3 included), but the release consumers' figures (<c>epsilon_rdp</c>, <c>epsilon_pld</c> and
    /// <c>delta_total</c>) claim no amplification by sampling: each participant-level entry is composed as a Gaussian
    /// mechanism with q = 1 at its σ, the same composition as the worst case against the coordinator. The coordinator
    /// publishes each attempt's realised cohort size n (entries, round details, status, telemetry; in secure aggregation also
    /// the noise level, sized for the survivors), and given n a participant was sampled with probability n/N, with the
    /// others' sum no longer independent of its inclusion, so the Poisson-subsampled bound of the sum alone (Mironov, Talwar
    /// &amp; Zhang 2019) does not hold for what is released (review-10 S7; docs/threat-model.md). Conditioned on the whole
    /// sample, which is independent of the data under zero-out, each step is a Gaussian mechanism of sensitivity C, so the
    /// q = 1 composition bounds every release at once (<see cref="LedgerValidation.ReleaseConsumerStep"/>).
    /// </summary>
    public const int ReleaseConsumersUnamplified = 4;

    /// <summary>
    /// Version 5: as version 4, and the entries of a session with adaptive clipping (Andrew et al. 2021) record its
    /// parameters (γ, η_C, σ_b, the count's noise variance) and the released noisy count of unclipped updates; their
    /// <c>clip_norm</c> is that round's C and their σ the joint release's, (z_Δ⁻² + (2σ_b)⁻²)^(−1/2) (§3). The verifier
    /// re-derives σ from the sum's and the count's noise and every C from the previous entry
    /// (<see cref="AdaptiveClippingAudit"/>). Entries of other sessions are as in version 4.
    /// </summary>
    public const int AdaptiveClippingRecorded = 5;

    /// <summary>
    /// Version 6: as version 5, but a secure-aggregation entry credits the noise of s_min − c(n) survivors, with c(n) the
    /// colluders its cohort of n may hold when up to the fraction ρ (<c>corruption_rate</c>) of the connected population
    /// colludes, the smallest c with E[(Binomial(n, ρ) − c)₊] ≤ δ_c (FedLearn.SecureAggregation's <c>ColluderBound</c>),
    /// instead of s_min − ⌊ρ·n⌋ (a per-cohort bound no adversary is held to, review-10 S2). Each such entry records c(n)
    /// (<c>assumed_colluders</c>) and δ_c (<c>colluder_tail_probability</c>), and both <c>delta_total</c>s add Σ δ_c (a union
    /// bound over the attempts).
    /// </summary>
    public const int ColluderBoundInDelta = 6;

    /// <summary>The version new ledgers are created with.</summary>
    public const int Current = ColluderBoundInDelta;
}
