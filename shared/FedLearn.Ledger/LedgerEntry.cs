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
    double? DeltaTotalAgainstCoordinator = null)
{
    /// <summary>A charged step in which no update was aggregated: the round committed with the model unchanged.</summary>
    [JsonIgnore]
    public bool IsEmptyStep => ParticipantsAggregated == 0;
}
