using System.Text;
using FedLearn.Ledger;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Audit;

/// <summary>
/// What <c>audit show</c> (online) and <c>audit verify</c> (offline) check of a signed audit report (docs/audit.md, "The
/// report"): the signature over the exact report text, that the signing key is the ledger key the caller expects, that the
/// report is of its session, that the ledger entry it names still has the named hash and ε figures, and that the report's
/// seed, K, K′ and confidence hash to the audit commitment the ledger header anchors ("The commitment"). Each failure is one
/// line; none means the report verifies.
/// </summary>
internal static class AuditReportCheck
{
    public static List<string> Problems(AuditReport stored, AuditReportDocument report, string expectedKey, LedgerDocument ledger)
    {
        var problems = new List<string>();
        if (LedgerSigner.DocumentSignatureProblem(stored.PublicKey, Encoding.UTF8.GetBytes(stored.ReportJson), stored.Signature) is { } signatureProblem)
        {
            problems.Add(signatureProblem);
        }
        if (expectedKey != stored.PublicKey || LedgerSigner.Fingerprint(stored.PublicKey) != report.Ledger.PublicKeySha256)
        {
            problems.Add($"signed by key sha256 {LedgerSigner.Fingerprint(stored.PublicKey)}, not the ledger key sha256 {LedgerSigner.Fingerprint(expectedKey)}");
        }
        if (report.SessionId != stored.SessionId || ledger.Header.SessionId != stored.SessionId)
        {
            problems.Add($"the report is of session {report.SessionId}, the ledger of session {ledger.Header.SessionId}");
        }
        var entry = ledger.Entries.FirstOrDefault(e => e.Sequence == report.Ledger.Sequence);
        if (entry?.EntryHash != report.Ledger.EntryHash)
        {
            problems.Add($"the ledger's entry {report.Ledger.Sequence} is not the entry the report measured against (hash {entry?.EntryHash ?? "missing"})");
        }
        else if (!(entry.EpsilonRdp == report.Ledger.EpsilonRdp && entry.EpsilonPld == report.Ledger.EpsilonPld))
        {
            problems.Add("the report's ε_bound figures are not the ledger entry's");
        }
        problems.AddRange(CommitmentProblems(report, ledger.Header));
        return problems;
    }

    /// <summary>
    /// A format-2 report must carry the commitment its seed, K, K′ and confidence hash to, and the ledger header must anchor
    /// that same commitment. A format-1 report is held to the header's commitment when the header has one; when neither has
    /// it (both written before), nothing can be checked offline and <see cref="CommitmentLine"/> says so.
    /// </summary>
    private static IEnumerable<string> CommitmentProblems(AuditReportDocument report, LedgerHeader header)
    {
        if (report.Format is not (AuditReportDocument.FormatWithCommitment or AuditReportDocument.FormatWithoutCommitment))
        {
            yield return $"the report's format {report.Format} is not {AuditReportDocument.FormatWithoutCommitment} or {AuditReportDocument.FormatWithCommitment}";
            yield break;
        }
        var committed = Recompute(report);
        if (committed is null)
        {
            yield return "the report's canary seed is not 32 bytes of hex, so its commitment cannot be recomputed";
            yield break;
        }
        if (report.Format == AuditReportDocument.FormatWithCommitment)
        {
            if (report.AuditCommitment != committed)
            {
                yield return $"the report's seed, K, K′ and confidence hash to {committed}, not to the audit_commitment it states ({report.AuditCommitment ?? "none"})";
            }
            if (header.AuditCommitment is null)
            {
                yield return $"the ledger header anchors no audit_commitment, but a {report.Format} report needs one: the session was not created for this audit";
            }
        }
        else if (report.AuditCommitment is not null)
        {
            yield return $"a {report.Format} report states no audit_commitment";
        }
        if (header.AuditCommitment is { } anchored && anchored != committed)
        {
            yield return $"the report's seed, K, K′ and confidence hash to {committed}, not to the audit_commitment the ledger header anchors ({anchored}): these are not the canaries fixed before the session started";
        }
    }

    /// <summary>What the commitment check established, for the text report.</summary>
    public static string CommitmentLine(AuditReportDocument report, LedgerHeader header) =>
        header.AuditCommitment is { } anchored
            ? $"{anchored} anchored in the ledger header; the report's seed, K, K′ and confidence must hash to it"
            : "not checkable offline: the ledger header predates anchored commitments (the coordinator checked it when it recorded the report)";

    private static string? Recompute(AuditReportDocument report)
    {
        try
        {
            var seed = Convert.FromHexString(report.CanarySeed);
            return seed.Length == AuditRandom.SeedBytes ? AuditCommitment.ComputeHex(seed, report.Canaries, report.Unseen, report.Confidence) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
