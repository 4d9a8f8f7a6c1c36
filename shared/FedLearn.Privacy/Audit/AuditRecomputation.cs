namespace FedLearn.Privacy.Audit;

/// <summary>
/// The auditor's own run of the measurement (docs/audit.md, "Recomputing"): the released models θ₀ … θ_T measured again
/// with the report's published seed, K, K′, δ, confidence and resamples, and every figure compared with the signed
/// report's. A report whose figures the models do not bear out is caught even when its signature verifies.
/// </summary>
public static class AuditRecomputation
{
    /// <summary>Every figure of the report that the measurement on <paramref name="models"/> does not reproduce exactly.</summary>
    public static List<string> Problems(AuditReportDocument report, IReadOnlyList<float[]> models)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentOutOfRangeException.ThrowIfNotEqual(models.Count, report.Rounds + 1, nameof(models));
        var problems = new List<string>();
        var changed = CanaryScoring.ChangedRounds(models);
        if (report.Dimension != models[0].Length || report.RoundsChanged != changed)
        {
            problems.Add($"the report names d = {report.Dimension} and {report.RoundsChanged} changed rounds; the models have d = {models[0].Length} and {changed}");
            return problems;
        }
        var recomputed = CanaryAudit.Measure(Convert.FromHexString(report.CanarySeed), report.Canaries, report.Unseen, models, report.Ledger.Delta,
            report.Confidence, report.EpsilonBound, report.Resamples);
        foreach (var (claimed, measured) in report.ThreatModels.Zip(recomputed))
        {
            if (claimed.Name != measured.Name
                || !claimed.CanaryScores.SequenceEqual(measured.CanaryScores) || !claimed.UnseenScores.SequenceEqual(measured.UnseenScores))
            {
                problems.Add($"{claimed.Name}: the canaries' scores are not those of the models");
            }
            else if (!(claimed.EpsilonEstimate.Equals(measured.EpsilonEstimate) && claimed.EpsilonLower.Equals(measured.EpsilonLower)
                && claimed.Flagged == measured.Flagged))
            {
                problems.Add($"{claimed.Name}: the report says ε_est {claimed.EpsilonEstimate:R} ≥ {claimed.EpsilonLower:R} (flagged {claimed.Flagged}); " +
                    $"recomputed ε_est {measured.EpsilonEstimate:R} ≥ {measured.EpsilonLower:R} (flagged {measured.Flagged})");
            }
        }
        var verdict = recomputed.Any(t => t.Flagged) ? AuditReportDocument.Flagged : AuditReportDocument.Pass;
        if (report.ThreatModels.Count != recomputed.Count || report.Verdict != verdict)
        {
            problems.Add($"the report's verdict is {report.Verdict}; the recomputed verdict is {verdict}");
        }
        return problems;
    }
}
