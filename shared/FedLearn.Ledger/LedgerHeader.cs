using System.Text.Json.Serialization;

namespace FedLearn.Ledger;

/// <summary>
/// What a session's ledger is bound to. Its canonical hash is the <see cref="LedgerEntry.PreviousHash"/> of entry 1,
/// so once the first entry is signed the session, budgets and key cannot be swapped without breaking the chain.
/// A ledger declares one or both of two guarantees, and says which is which:
/// <list type="bullet">
/// <item><b>participant level</b> (<paramref name="EpsilonBudget"/>, <paramref name="Delta"/>, <paramref name="Accountant"/>):
/// adding or removing one participant's whole data; enforced and accounted by the coordinator, recomputable from every entry.</item>
/// <item><b>example level</b> (<paramref name="ExampleLevel"/>): adding or removing one record of one participant; enforced
/// and accounted by each participant's DP-SGD, which alone knows its dataset size.</item>
/// </list>
/// </summary>
/// <param name="SessionId">The training session this ledger belongs to.</param>
/// <param name="CreatedAt">When the session (and ledger) was created; whole milliseconds, encoded as UTC.</param>
/// <param name="EpsilonBudget">Participant-level ε budget, enforced with <paramref name="Accountant"/>; null when the session
/// declares no participant-level guarantee (then <paramref name="Delta"/> and <paramref name="Accountant"/> are null too).</param>
/// <param name="Delta">Participant-level δ; every entry must report ε at this δ.</param>
/// <param name="Accountant">"rdp" or "pld": the accountant the participant-level budget is enforced with.</param>
/// <param name="PublicKey">The coordinator's ECDSA P-256 public key, SubjectPublicKeyInfo DER, base64.</param>
/// <param name="ExampleLevel">The example-level guarantee the session declares, or null for none.</param>
/// <param name="NeighbouringRelation">What two neighbouring inputs are, at every level the ledger declares:
/// <see cref="LedgerAdversaries.ZeroOut"/>. Null only in a ledger written before the header named it (then the following
/// three are null too, and its figures were stated without naming a relation or an adversary).</param>
/// <param name="EpsilonAgainst">Participant level: whom <c>epsilon_rdp</c>/<c>epsilon_pld</c> hold against,
/// <see cref="LedgerAdversaries.ReleaseConsumers"/>.</param>
/// <param name="AgainstCoordinator">Participant level: <see cref="LedgerAdversaries.CoordinatorRecorded"/> (secure
/// aggregation: every entry records the worst-case ε against the coordinator) or <see cref="LedgerAdversaries.CoordinatorTrusted"/>
/// (central noise: no guarantee against the coordinator, so no figure).</param>
/// <param name="ExampleEpsilonAgainst">Example level: whom <c>example_epsilon_max</c> holds against,
/// <see cref="LedgerAdversaries.ReleaseConsumersAndCoordinator"/>.</param>
/// <param name="AccountingVersion">What the verifier recomputes (<see cref="LedgerAccountingVersions"/>): null in a ledger
/// written before the member existed (version 1: ε only), 2 when every participant-level entry also records the
/// samplers' total variation distance and the δ that includes it (<c>delta_total</c>); 3 when it also records the inputs
/// its sensitivity, σ and sampler distance are derived from; 4 when, in addition, the release consumers' figures are
/// composed without amplification by sampling (<see cref="LedgerAccountingVersions.ReleaseConsumersUnamplified"/>); 5 when,
/// in addition, the entries of a session with adaptive clipping record it (<see cref="LedgerAccountingVersions.AdaptiveClippingRecorded"/>).</param>
/// <param name="InitialModelSha256">The initial model (round 0) the session starts from: lowercase hex SHA-256 of its weights
/// (float32 little-endian, as <c>model_sha256</c>). Null in a ledger written before headers anchored it.</param>
/// <param name="AuditCommitment">Sessions created by <c>fedlearn audit run</c>: the audit commitment (docs/audit.md, "The
/// commitment"), lowercase hex, so an auditor checks the report's canaries against what was fixed before the session started
/// without trusting the coordinator. Null for a session that is not audited, and in ledgers written before.</param>
public sealed record LedgerHeader(
    string SessionId,
    DateTimeOffset CreatedAt,
    double? EpsilonBudget,
    double? Delta,
    string? Accountant,
    string PublicKey,
    ExampleLevelDeclaration? ExampleLevel = null,
    string? NeighbouringRelation = null,
    string? EpsilonAgainst = null,
    string? AgainstCoordinator = null,
    string? ExampleEpsilonAgainst = null,
    int? AccountingVersion = null,
    string? InitialModelSha256 = null,
    string? AuditCommitment = null)
{
    /// <summary>True when the ledger tracks a participant-level guarantee (entries then carry a real mechanism).</summary>
    /// <remarks>Derived, so not exported (exports written before this was ignored carry it; <see cref="LedgerJson"/> drops it on reading).</remarks>
    [JsonIgnore]
    public bool HasParticipantLevel => EpsilonBudget is not null || Delta is not null || Accountant is not null;

    /// <summary>True when entries record ε against the coordinator (secure-aggregation sessions).</summary>
    [JsonIgnore]
    public bool RecordsEpsilonAgainstCoordinator => AgainstCoordinator == LedgerAdversaries.CoordinatorRecorded;

    /// <summary>True when participant-level entries record <c>sampler_tv_distance</c> and <c>delta_total</c> (version 2).</summary>
    [JsonIgnore]
    public bool RecordsSamplerResidue => AccountingVersion >= LedgerAccountingVersions.SamplerResidueInDelta;

    /// <summary>
    /// True when <c>epsilon_rdp</c>/<c>epsilon_pld</c> compose Poisson-subsampled Gaussian steps at the entries' q (versions
    /// 1 to 3, sealed as they were); false from version 4, where they compose q = 1 steps because the realised cohort sizes
    /// are published (<see cref="LedgerAccountingVersions.ReleaseConsumersUnamplified"/>).
    /// </summary>
    [JsonIgnore]
    public bool ReleaseConsumersAmplified => !(AccountingVersion >= LedgerAccountingVersions.ReleaseConsumersUnamplified);
    /// <summary>True when a session's entries may record adaptive clipping (version 5).</summary>
    [JsonIgnore]
    public bool RecordsAdaptiveClipping => AccountingVersion >= LedgerAccountingVersions.AdaptiveClippingRecorded;

    /// <summary>True when participant-level entries also record the noise inputs (d, γ, σ_int², …; versions 3 and 4).</summary>
    [JsonIgnore]
    public bool RecordsNoiseInputs => AccountingVersion >= LedgerAccountingVersions.NoiseInputsRecorded;

    /// <summary>
    /// True when secure-aggregation entries credit s_min − c(n) shares and record c(n) and δ_c, paid in delta_total (version 6);
    /// false: s_min − ⌊ρ·n⌋ (versions 3 to 5, verified as sealed).
    /// </summary>
    [JsonIgnore]
    public bool RecordsColluderBound => AccountingVersion >= LedgerAccountingVersions.ColluderBoundInDelta;
}
