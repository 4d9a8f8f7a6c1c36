using System.Globalization;
using System.Text;
using FedLearn.Ledger;
using FedLearn.Privacy.Audit;

namespace FedLearn.Cli.Audit;

/// <summary>The audit report for a person: ε_bound beside ε_est per threat model, and whether the report verifies.</summary>
internal static class AuditReportText
{
    public static string Describe(AuditReportDocument r, IReadOnlyList<string> problems, string? plot, string commitment)
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));
        Line($"Empirical privacy audit of session {r.SessionId} ({r.Format}, recorded {r.RecordedAt:yyyy-MM-dd HH:mm:ss}Z)");
        Line($"ledger head      entry {r.Ledger.Sequence} ({r.Ledger.EntryHash}), mechanism {r.Ledger.Mechanism}, δ = {r.Ledger.Delta:G3}, key sha256 {r.Ledger.PublicKeySha256}");
        Line($"ε_bound          {Number(r.EpsilonBound)}  (the ledger's participant-level ε against release consumers: RDP {Number(r.Ledger.EpsilonRdp)}, PLD {Number(r.Ledger.EpsilonPld)}; the smaller)");
        Line($"canaries         K = {r.Canaries} inserted, K' = {r.Unseen} unseen; model dimension d = {r.Dimension}; {r.Rounds} rounds, {r.RoundsChanged} changed the model");
        Line($"confidence       {r.Confidence:P1} for the verdict ({1 - (1 - r.Confidence) / 2:P2} one-sided per threat model), {r.Resamples} bootstrap resamples from the published seed");
        Line($"commitment       {commitment}");
        Line($"model            includes the canaries: {r.ModelIncludesCanaries}");
        if (r.CoordinatorTestNoiseScale != 1)
        {
            Line($"WARNING          the coordinator ran with the TEST-ONLY noise understatement: it added {r.CoordinatorTestNoiseScale:G3} of the noise its ledger records");
        }
        text.AppendLine();
        Line($"{"THREAT MODEL",-14} {"ε_bound",9} {"ε_est",9} {$"ε_est ≥ ({1 - (1 - r.Confidence) / 2:P1})",16}  {"NULL",-48} VERDICT");
        foreach (var t in r.ThreatModels)
        {
            Line($"{t.Name,-14} {Number(r.EpsilonBound),9} {Number(t.EpsilonEstimate),9} {Number(t.EpsilonLower),16}  {t.Null,-48} {(t.Flagged ? "FLAGGED" : "pass")}");
        }
        Line($"against the coordinator: {AgainstCoordinator(r.Ledger)} (not audited: the canaries measure what release consumers see)");
        text.AppendLine();
        text.AppendLine(r.Verdict == AuditReportDocument.Flagged
            ? "VERDICT: FLAGGED. The canaries are more visible than the ledger's ε allows: with the stated confidence, ε_est is above ε_bound. The ledger's figure is not borne out."
            : "VERDICT: pass. No threat model's lower confidence limit of ε_est is above the ledger's ε (an audit can only find an understatement, never prove a bound).");
        text.AppendLine(problems.Count == 0
            ? $"report verifies: signed by ledger key sha256 {r.Ledger.PublicKeySha256}, and the ledger's entry {r.Ledger.Sequence} has the hash the report names."
            : $"report does NOT verify: {string.Join("; ", problems)}");
        if (plot is not null)
        {
            text.AppendLine($"plot: {plot}");
        }
        return text.ToString().TrimEnd();
    }

    private static string AgainstCoordinator(AuditLedgerClaim ledger) =>
        ledger.AgainstCoordinator == LedgerAdversaries.CoordinatorRecorded
            ? $"ε RDP {Number(ledger.EpsilonAgainstCoordinatorRdp)}, PLD {Number(ledger.EpsilonAgainstCoordinatorPld)} (worst case)"
            : "no guarantee (central noise: the coordinator is trusted)";

    public static string Number(double? value) => value switch
    {
        null => "-",
        { } v when double.IsPositiveInfinity(v) => "∞",
        { } v => v.ToString("F3", CultureInfo.InvariantCulture),
    };
}
