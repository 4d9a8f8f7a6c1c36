namespace FedLearn.Ledger;

/// <summary>The stable names of everything <see cref="LedgerVerifier"/> can find wrong (documented in docs/ledger.md).</summary>
public static class LedgerDiscrepancyKinds
{
    /// <summary>A header field is malformed (budget, δ, accountant, key, time…).</summary>
    public const string HeaderMalformed = "header_malformed";

    /// <summary>The header's public key is not the key the auditor expected (published by the admin API).</summary>
    public const string PublicKeyMismatch = "public_key_mismatch";

    /// <summary>An entry field is malformed; one discrepancy per problem.</summary>
    public const string EntryMalformed = "entry_malformed";

    /// <summary>Entry at position i does not carry sequence i (a row was deleted, inserted or moved).</summary>
    public const string SequenceMismatch = "sequence_mismatch";

    /// <summary>previous_hash is not the stored hash of the row before it (the header hash for the first row).</summary>
    public const string BrokenLink = "broken_link";

    /// <summary>entry_hash is not the SHA-256 of the entry's canonical encoding (the row was edited).</summary>
    public const string HashMismatch = "hash_mismatch";

    /// <summary>The signature does not verify under the coordinator key (edited or forged row).</summary>
    public const string SignatureInvalid = "signature_invalid";

    /// <summary>The entry's session id differs from the header's.</summary>
    public const string SessionMismatch = "session_mismatch";

    /// <summary>The round number is not greater than the previous entry's.</summary>
    public const string RoundNotIncreasing = "round_not_increasing";

    /// <summary>The entry's δ differs from the header's.</summary>
    public const string DeltaMismatch = "delta_mismatch";

    /// <summary>Recorded ε is below the recomputed ε by more than the tolerance: the guarantee was overstated.</summary>
    public const string EpsilonUnderReported = "epsilon_under_reported";

    /// <summary>Recorded ε is above the recomputed ε by more than the tolerance (conservative, but not what the parameters give).</summary>
    public const string EpsilonOverReported = "epsilon_over_reported";

    /// <summary>The recorded worst-case ε against the coordinator is below its recomputation (q = 1): overstated privacy.</summary>
    public const string EpsilonAgainstCoordinatorUnderReported = "epsilon_against_coordinator_under_reported";

    /// <summary>The recorded worst-case ε against the coordinator is above its recomputation.</summary>
    public const string EpsilonAgainstCoordinatorOverReported = "epsilon_against_coordinator_over_reported";

    /// <summary>
    /// A recorded <c>delta_total</c> (or <c>delta_total_against_coordinator</c>) is below its recomputation from the
    /// entries' sampler distances and ε: the δ that pays for the samplers' error was understated.
    /// </summary>
    public const string DeltaTotalUnderReported = "delta_total_under_reported";

    /// <summary>A recorded <c>delta_total</c> (or the one against the coordinator) is above its recomputation.</summary>
    public const string DeltaTotalOverReported = "delta_total_over_reported";

    /// <summary>
    /// Accounting version 3: the recorded sensitivity is not what the entry's noise inputs give (central: C + γ√d; secure
    /// aggregation: γ·Δ₂ after conditional rounding).
    /// </summary>
    public const string SensitivityMismatch = "sensitivity_mismatch";

    /// <summary>
    /// Accounting version 3: the recorded σ is not what the entry's noise inputs give (secure aggregation: σ_eff of the
    /// s_min − ⌊ρ·n⌋ certainly honest shares, from version 6 s_min − c(n), Kairouz, Liu &amp; Steinke 2021, Prop. 14; central: more than the noise the
    /// sampler was asked for), or the inputs are inconsistent (an s_min the round could not enforce).
    /// </summary>
    public const string NoiseMultiplierMismatch = "noise_multiplier_mismatch";

    /// <summary>Accounting version 3: the recorded sampler distance η is not what the entry's noise inputs give.</summary>
    public const string SamplerTvDistanceMismatch = "sampler_tv_distance_mismatch";

    /// <summary>
    /// Accounting version 5, adaptive clipping: an entry's clip norm does not follow from the previous entry's released
    /// noisy count (Andrew et al. 2021, geometric update), its γ, η_C or σ_b changed, or the session records adaptive
    /// clipping in some entries only.
    /// </summary>
    public const string ClipNormMismatch = "clip_norm_mismatch";

    /// <summary>
    /// Accounting version 6: the recorded <c>assumed_colluders</c> is not c(n), the smallest c with
    /// E[(Binomial(n, ρ) − c)₊] ≤ <c>colluder_tail_probability</c> (n = participants_selected, ρ = corruption_rate).
    /// </summary>
    public const string AssumedColludersMismatch = "assumed_colluders_mismatch";

    /// <summary>An empty charged step (0 aggregated) names a model other than the previous entry's: the model changed.</summary>
    public const string EmptyStepModelChanged = "empty_step_model_changed";

    /// <summary>ε cannot be recomputed from this entry on, because its mechanism or parameters are unusable.</summary>
    public const string EpsilonNotRecomputable = "epsilon_not_recomputable";

    /// <summary>ε under the enforced accountant exceeds the header's budget.</summary>
    public const string BudgetExceeded = "budget_exceeded";

    /// <summary>An example-level ε an entry records exceeds the header's example-level budget.</summary>
    public const string ExampleBudgetExceeded = "example_budget_exceeded";

    /// <summary>An entry records a guarantee level the header does not declare, or omits one it declares.</summary>
    public const string LevelMismatch = "level_mismatch";

    /// <summary>A checkpoint has no entry with its model hash (its round was deleted from the ledger).</summary>
    public const string CheckpointWithoutEntry = "checkpoint_without_entry";

    /// <summary>An entry's model hash matches no checkpoint.</summary>
    public const string EntryWithoutCheckpoint = "entry_without_checkpoint";

    /// <summary>A checkpoint and the entry of the same round name different model hashes.</summary>
    public const string CheckpointShaMismatch = "checkpoint_sha_mismatch";

    /// <summary>The entry holding a checkpoint's model hash is for a different round.</summary>
    public const string CheckpointRoundMismatch = "checkpoint_round_mismatch";

    /// <summary>Two checkpoints for one round, or several entries with one checkpoint's model hash.</summary>
    public const string CheckpointAmbiguous = "checkpoint_ambiguous";
}
