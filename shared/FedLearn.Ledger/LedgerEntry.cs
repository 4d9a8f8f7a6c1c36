using System.Text.Json.Serialization;

namespace FedLearn.Ledger;

/// <summary>
/// One committed training round in a session's append-only privacy ledger.
/// <para><b>Participant level.</b> With a real <paramref name="Mechanism"/> the entry is one Poisson-subsampled Gaussian
/// step (q = <paramref name="SamplingRate"/>, noise std = <paramref name="NoiseMultiplier"/> × <paramref name="Sensitivity"/>);
/// ε after entry i is the accountant's ε over steps 1..i at <paramref name="Delta"/>. With mechanism "none" (a session
/// without a participant-level guarantee) those fields are all null.</para>
/// <para><b>Example level.</b> <paramref name="ExampleEpsilonMax"/> is present exactly when the header declares an
/// example-level guarantee.</para>
/// </summary>
/// <param name="Sequence">Position in the ledger, 1..n without gaps.</param>
/// <param name="SessionId">Must equal the header's.</param>
/// <param name="Round">Training round number; strictly increasing along the ledger.</param>
/// <param name="RecordedAt">When the round was committed; whole milliseconds, encoded as UTC.</param>
/// <param name="Mechanism">How participant-level noise was added; see <see cref="LedgerMechanisms"/>.</param>
/// <param name="SamplingRate">Poisson sampling probability q ∈ (0, 1] of participants.</param>
/// <param name="NoiseMultiplier">σ: noise standard deviation divided by the sensitivity.</param>
/// <param name="ClipNorm">C: the L2 clip norm applied to each update.</param>
/// <param name="Sensitivity">L2 sensitivity of the aggregate the noise was calibrated to.</param>
/// <param name="ParticipantsSelected">Participants sampled into the round.</param>
/// <param name="ParticipantsAggregated">Participants whose updates were aggregated (≤ selected).</param>
/// <param name="Delta">δ at which both participant-level ε figures are stated.</param>
/// <param name="EpsilonRdp">Participant-level ε over rounds 1..this one under the RDP accountant.</param>
/// <param name="EpsilonPld">Participant-level ε over rounds 1..this one under the PLD accountant.</param>
/// <param name="ModelSha256">Lowercase hex SHA-256 of the checkpoint weights this round produced.</param>
/// <param name="PreviousHash">Entry hash of the previous entry, or the header hash for entry 1.</param>
/// <param name="EntryHash">Lowercase hex SHA-256 of this entry's canonical encoding.</param>
/// <param name="Signature">Base64 ECDSA P-256 / SHA-256 signature (IEEE P1363 r‖s) over the canonical encoding.</param>
/// <param name="ExampleEpsilonMax">Example-level ε: the largest cumulative DP-SGD ε (at the header's example δ, under its
/// example accountant) that a participant whose update this round took reported for its own records, this round included;
/// 0 in an empty step.</param>
/// <param name="EpsilonAgainstCoordinatorRdp">Present exactly when the header's <c>against_coordinator</c> is "recorded":
/// the worst-case participant-level ε against the coordinator after this entry, under RDP, at <paramref name="Delta"/>: a
/// participant that contributed to every charged step 1..i, each a Gaussian mechanism without amplification by sampling
/// (q = 1, σ = <paramref name="NoiseMultiplier"/>), composed.</param>
/// <param name="EpsilonAgainstCoordinatorPld">The same under PLD.</param>
/// <param name="SamplerTvDistance">Present exactly when the header records the sampler residue (accounting version 2) and
/// the entry has a participant-level mechanism: an upper bound η on the total variation distance between the noise this
/// round's release carries and exact discrete Gaussian noise (the samplers' proven bound, times the coordinates drawn).</param>
/// <param name="DeltaTotal">With <paramref name="SamplerTvDistance"/>: the δ at which <paramref name="EpsilonRdp"/> and
/// <paramref name="EpsilonPld"/> truly hold, min(1, δ + (1 + e^ε)·Σ_{j≤i} η_j) with ε the larger of the two
/// (<see cref="FedLearn.Privacy.SamplerResidue.TotalDelta"/>).</param>
/// <param name="DeltaTotalAgainstCoordinator">The same for the figures against the coordinator (present with them).</param>
/// <param name="Dimension">Accounting version 3, participant level: d, the number of model parameters the noise was added to.
/// With the next members, the inputs from which an auditor re-derives <paramref name="Sensitivity"/>,
/// <paramref name="NoiseMultiplier"/> (secure aggregation) and <paramref name="SamplerTvDistance"/>
/// (<see cref="NoiseDerivationAudit"/>, docs/ledger.md "Noise inputs"). Central noise: always present. Secure
/// aggregation: present exactly when the attempt opened with a plan (absent for a draw below the minimum cohort, which was
/// sent nothing).</param>
/// <param name="GridScale">γ: the grid the noise is drawn on (a power of two; central: the grid the sum is snapped to).</param>
/// <param name="IntegerNoiseVariance">σ_int²: central noise, the grid variance asked of the sampler,
/// ⌈(σ·Δ/γ)²⌉; secure aggregation, the variance of each participant's discrete Gaussian share on the grid.</param>
/// <param name="PaddedDimension">Secure aggregation: D, the encoded length (the next power of two ≥ d when rotating).</param>
/// <param name="ShamirThreshold">Secure aggregation: t, the Shamir threshold of the round's SecAgg+ graph.</param>
/// <param name="MinimumSurvivors">Secure aggregation: s_min, the fewest masked inputs the attempt unmasks with.</param>
/// <param name="DropoutAllowance">Secure aggregation: a, the fraction of the cohort that may drop while the attempt unmasks.</param>
/// <param name="CorruptionRate">Secure aggregation: ρ, the fraction assumed corrupt, whose shares do not count: of the cohort
/// (versions 3 to 5, ⌊ρ·n⌋ of it), of the connected population (version 6).</param>
/// <param name="ClipTargetQuantile">Adaptive clipping (accounting version 5; Andrew et al. 2021): γ, the quantile of the
/// update norms the clip norm follows. With the next three, present exactly in the entries of a session that adapts its clip
/// norm; <paramref name="ClipNorm"/> is then this round's C and <paramref name="NoiseMultiplier"/> the σ of the joint
/// release of the noisy sum and the noisy count (<see cref="AdaptiveClippingAudit"/>).</param>
/// <param name="ClipLearningRate">η_C, the geometric update's step.</param>
/// <param name="BitNoiseStddev">σ_b, the noise on the count of unclipped updates, in updates.</param>
/// <param name="ReportNoiseVariance">The integer variance ⌈(2σ_b)²⌉ of the discrete Gaussian added to the sum of the
/// participants' reports r ∈ {−1, 0, +1} (central noise).</param>
/// <param name="NoisyUnclippedCount">The released noisy count of aggregated updates within C, (Σr + noise + n)/2; present
/// exactly when the round aggregated something (n = <paramref name="ParticipantsAggregated"/> &gt; 0). The next entry's
/// clip norm is C·exp(−η_C·(clamp(count/n, 0, 1) − γ)), or C after an empty step.</param>
/// <param name="AssumedColluders">Version 6, secure aggregation with noise inputs: c(n), the colluders the cohort of n is
/// assumed to hold, the smallest c with E[(Binomial(n, ρ) − c)₊] ≤ <paramref name="ColluderTailProbability"/>; the noise of
/// s_min − c(n) survivors is credited.</param>
/// <param name="ColluderTailProbability">Version 6, with <paramref name="AssumedColluders"/>: δ_c, the bound on the
/// probability that the cohort held more colluders, added to both delta_totals.</param>
/// <remarks>An <b>empty charged step</b> (a private round that committed with the model unchanged: too small a draw, too
/// few updates or survivors, an aborted secure aggregation) has <paramref name="ParticipantsAggregated"/> = 0, the
/// previous model's hash, and is charged like any other step at the planned σ.</remarks>
public sealed record LedgerEntry(
    long Sequence,
    string SessionId,
    int Round,
    DateTimeOffset RecordedAt,
    string Mechanism,
    double? SamplingRate,
    double? NoiseMultiplier,
    double? ClipNorm,
    double? Sensitivity,
    int ParticipantsSelected,
    int ParticipantsAggregated,
    double? Delta,
    double? EpsilonRdp,
    double? EpsilonPld,
    string ModelSha256,
    string PreviousHash,
    string EntryHash,
    string Signature,
    double? ExampleEpsilonMax = null,
    double? EpsilonAgainstCoordinatorRdp = null,
    double? EpsilonAgainstCoordinatorPld = null,
    double? SamplerTvDistance = null,
    double? DeltaTotal = null,
    double? DeltaTotalAgainstCoordinator = null,
    int? Dimension = null,
    double? GridScale = null,
    long? IntegerNoiseVariance = null,
    int? PaddedDimension = null,
    int? ShamirThreshold = null,
    int? MinimumSurvivors = null,
    double? DropoutAllowance = null,
    double? CorruptionRate = null,
    double? ClipTargetQuantile = null,
    double? ClipLearningRate = null,
    double? BitNoiseStddev = null,
    long? ReportNoiseVariance = null,
    double? NoisyUnclippedCount = null,
    int? AssumedColluders = null,
    double? ColluderTailProbability = null)
{
    /// <summary>A charged step in which no update was aggregated: the round committed with the model unchanged.</summary>
    [JsonIgnore]
    public bool IsEmptyStep => ParticipantsAggregated == 0;

    /// <summary>Whether any of the noise inputs of accounting version 3 is present.</summary>
    [JsonIgnore]
    public bool HasNoiseInputs => Dimension is not null || GridScale is not null || IntegerNoiseVariance is not null || HasSecureInputs;

    /// <summary>Whether any of the adaptive-clipping members of accounting version 5 is present.</summary>
    [JsonIgnore]
    public bool HasAdaptiveClipping =>
        ClipTargetQuantile is not null || ClipLearningRate is not null || BitNoiseStddev is not null || ReportNoiseVariance is not null
        || NoisyUnclippedCount is not null;

    /// <summary>Whether any of the secure-aggregation noise inputs (D, t, s_min, a, ρ; c(n), δ_c) is present.</summary>
    [JsonIgnore]
    public bool HasSecureInputs =>
        PaddedDimension is not null || ShamirThreshold is not null || MinimumSurvivors is not null || DropoutAllowance is not null || CorruptionRate is not null
        || HasColluderBound;

    /// <summary>Whether either member of the colluder bound of version 6 (c(n), δ_c) is present.</summary>
    [JsonIgnore]
    public bool HasColluderBound => AssumedColluders is not null || ColluderTailProbability is not null;
}
