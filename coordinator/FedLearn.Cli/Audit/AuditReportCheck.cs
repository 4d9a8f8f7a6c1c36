using System.Text;
using FedLearn.Ledger;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Audit;

/// <summary>
/// What <c>audit show</c> (online) and <c>audit verify</c> (offline) check of a signed audit report (docs/audit.md, "The
/// report"): the signature over the exact report text, that the signing key is the ledger key the caller expects, that the
/// report is of its session, and that the ledger entry it names still has the named hash and ε figures. Each failure is one
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
        return problems;
    }
}
