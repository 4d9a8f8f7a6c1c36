using System.Text.Json;
using System.Text.Json.Serialization;

namespace FedLearn.Privacy.Audit;

/// <summary>
/// The audit report the coordinator signs and stores (docs/audit.md, "The report"): what the ledger claims (ε_bound), what
/// the canaries measured (ε_est per threat model), the verdict, and everything needed to recompute it from the released
/// models: the canary seed, K, K′, the confidence, every score. Serialised with <see cref="Json"/>; the signature covers the
/// exact serialised text. Format 2 adds <paramref name="AuditCommitment"/>, the commitment the ledger header also anchors,
/// so an auditor checks offline that these are the canaries fixed before the session started; format 1 reports (without
/// it) still read.
/// </summary>
public sealed record AuditReportDocument(
    string Format,
    string SessionId,
    DateTimeOffset RecordedAt,
    AuditLedgerClaim Ledger,
    double EpsilonBound,
    int Canaries,
    int Unseen,
    int Dimension,
    int Rounds,
    int RoundsChanged,
    double Confidence,
    int Resamples,
    string CanarySeed,
    IReadOnlyList<string> CanaryIds,
    double CoordinatorTestNoiseScale,
    IReadOnlyList<AuditThreatModel> ThreatModels,
    string Verdict,
    string ModelIncludesCanaries,
    string? AuditCommitment = null)
{
    /// <summary>Reports before the commitment was in them: it is checkable offline only when the ledger header anchors it.</summary>
    public const string FormatWithoutCommitment = "fedlearn-audit/1";
    /// <summary>Reports that carry <see cref="AuditCommitment"/> (lowercase hex), which must match the ledger header's.</summary>
    public const string FormatWithCommitment = "fedlearn-audit/2";
    public const string CurrentFormat = FormatWithCommitment;
    public const string Pass = "pass";
    public const string Flagged = "flagged";
    public const string FinalModel = "final_model";
    public const string AllIterates = "all_iterates";

    /// <summary>snake_case, ∞ written as "Infinity" (a degenerate fit), no indentation: the signed bytes.</summary>
    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string Serialize() => JsonSerializer.Serialize(this, Json);

    public static AuditReportDocument Deserialize(string json) =>
        JsonSerializer.Deserialize<AuditReportDocument>(json, Json) ?? throw new JsonException("The audit report is empty.");
}

/// <summary>The ledger's head entry the audit measured against, and its participant-level figures.</summary>
public sealed record AuditLedgerClaim(
    long Sequence,
    string EntryHash,
    string PublicKeySha256,
    string Mechanism,
    double Delta,
    double? EpsilonRdp,
    double? EpsilonPld,
    string? AgainstCoordinator,
    double? EpsilonAgainstCoordinatorRdp,
    double? EpsilonAgainstCoordinatorPld);

/// <summary>One threat model's measurement: the fits, ε_est and its lower limit, whether the limit exceeds ε_bound, and the scores.</summary>
public sealed record AuditThreatModel(
    string Name,
    string Null,
    double CanaryMean,
    double CanaryStd,
    double NullMean,
    double NullStd,
    double EpsilonEstimate,
    double EpsilonLower,
    bool Flagged,
    IReadOnlyList<double> CanaryScores,
    IReadOnlyList<double> UnseenScores);
