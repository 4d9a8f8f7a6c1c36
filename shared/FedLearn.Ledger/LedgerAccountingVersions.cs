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

    /// <summary>The version new ledgers are created with.</summary>
    public const int Current = SamplerResidueInDelta;
}
