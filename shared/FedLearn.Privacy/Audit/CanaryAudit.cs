namespace FedLearn.Privacy.Audit;

/// <summary>
/// The whole measurement from the released models θ₀ … θ_T: every canary's two scores (<see cref="CanaryScoring"/>), ε_est
/// and its lower limit per threat model (<see cref="EmpiricalEpsilon"/>), and whether the lower limit is above the ledger's
/// ε. The coordinator runs it to write the report; anyone can run it again on the exported models. The session is flagged
/// when either threat model is, so each is tested at confidence 1 − (1 − confidence)/2 (Bonferroni): an honest session is
/// then flagged with probability at most 1 − confidence, as far as the bootstrap limits hold their level.
/// </summary>
public static class CanaryAudit
{
    public const int MaxCanaries = 100_000;

    public static IReadOnlyList<AuditThreatModel> Measure(
        byte[] seed, int canaries, int unseen, IReadOnlyList<float[]> models, double delta, double confidence, double epsilonBound,
        int resamples = EmpiricalEpsilon.DefaultResamples)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(canaries, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(canaries, MaxCanaries);
        if (unseen is < 0 or 1 or > MaxCanaries)
        {
            throw new ArgumentOutOfRangeException(nameof(unseen), unseen, "Either no unseen canaries or 2 to 100000.");
        }
        var final = new double[canaries + unseen];
        var iterates = new double[canaries + unseen];
        Parallel.For(0, canaries + unseen, i => (final[i], iterates[i]) = CanaryScoring.Score(seed, i, models));
        var dimension = models[0].Length;
        var changed = CanaryScoring.ChangedRounds(models);
        return
        [
            Threat(AuditReportDocument.FinalModel, final, NullDistribution.FinalModel(dimension), 0),
            Threat(AuditReportDocument.AllIterates, iterates, NullDistribution.AllIterates(dimension, changed), 1),
        ];

        static double PerThreatModel(double sessionConfidence) => 1 - (1 - sessionConfidence) / 2;

        AuditThreatModel Threat(string name, double[] scores, FittedGaussian analyticNull, int stream)
        {
            var inserted = scores[..canaries];
            var notInserted = scores[canaries..];
            var estimate = EmpiricalEpsilon.Estimate(inserted, analyticNull, notInserted, delta, PerThreatModel(confidence), seed, stream, resamples);
            return new(name, unseen > 0 ? "unseen canaries" : name == AuditReportDocument.FinalModel ? "analytic N(0, 1/d)" : "analytic max of N(0, 1/d) over the changed rounds",
                estimate.Canaries.Mean, estimate.Canaries.Std, estimate.Null.Mean, estimate.Null.Std,
                estimate.Epsilon, estimate.EpsilonLower, !(estimate.EpsilonLower <= epsilonBound), inserted, notInserted);
        }
    }
}
