using FedLearn.Ledger;
using FedLearn.Privacy;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// What a session's privacy ledger declares and records (docs/ledger.md). A session has a ledger when it declares a
/// participant-level guarantee (the coordinator's accountant), an example-level one (the participants' DP-SGD), or both;
/// the ledger keeps the two apart.
/// </summary>
internal static class SessionLedger
{
    /// <summary>
    /// The header of a new session's ledger, or null for a session without differential privacy. It anchors the initial
    /// model's hash and, for an audited session, the audit commitment, so both are checkable offline (docs/ledger.md).
    /// </summary>
    public static LedgerHeader? CreateHeader(
        LedgerSigner signer, string sessionId, DateTimeOffset now, PrivacyPlan? plan, ExamplePrivacyDefinition? example, int plannedRounds,
        string initialModelSha256, byte[]? auditCommitment) =>
        plan is null && example is null
            ? null
            : signer.CreateHeader(sessionId, now, plan?.EpsilonBudget, plan?.Delta, plan?.Accountant, example is null ? null : Declaration(example, plannedRounds),
                plan is null ? null : LedgerAdversaries.AgainstCoordinatorFor(plan.Mechanism), LedgerAccountingVersions.Current,
                initialModelSha256, auditCommitment is null ? null : Convert.ToHexStringLower(auditCommitment));

    /// <summary>
    /// The round's entry before sealing. <paramref name="participantLevel"/> is null for a session without a participant-level
    /// guarantee (mechanism "none"); <paramref name="exampleEpsilonMax"/> must be given exactly when the session declares the
    /// example level.
    /// </summary>
    public static LedgerEntry Draft(
        string sessionId, RoundSummary summary, DateTimeOffset now, ParticipantLevelCharge? participantLevel, double? exampleEpsilonMax)
    {
        var p = participantLevel;
        return new LedgerEntry(0, sessionId, summary.Round, LedgerTime.Normalize(now), p?.Plan.Mechanism ?? LedgerMechanisms.None,
            p?.Plan.SamplingRate, p?.NoiseMultiplier, p?.Plan.ClipNorm, p?.Sensitivity, summary.ParticipantsSelected,
            summary.ParticipantsAggregated, p?.Plan.Delta, p?.EpsilonRdp, p?.EpsilonPld, summary.CheckpointSha256!, "", "", "",
            exampleEpsilonMax, p?.EpsilonAgainstCoordinatorRdp, p?.EpsilonAgainstCoordinatorPld, p?.SamplerTvDistance, p?.DeltaTotal,
            p?.DeltaTotalAgainstCoordinator, p?.Inputs?.Dimension, p?.Inputs?.GridScale, p?.Inputs?.IntegerNoiseVariance,
            p?.Inputs?.PaddedDimension, p?.Inputs?.ShamirThreshold, p?.Inputs?.MinimumSurvivors, p?.Inputs?.DropoutAllowance,
            p?.Inputs?.CorruptionRate, p?.Plan.AdaptiveClipping?.TargetQuantile, p?.Plan.AdaptiveClipping?.LearningRate,
            p?.Plan.AdaptiveClipping?.BitNoiseStddev, p?.Plan.AdaptiveClipping is null ? null : p.Inputs?.ReportNoiseVariance ?? p.Plan.AdaptiveClipping.ReportNoiseVariance,
            p?.Plan.AdaptiveClipping is null ? null : p.NoisyUnclippedCount, p?.Inputs?.AssumedColluders, p?.Inputs?.ColluderTailProbability);
    }

    /// <summary>The example level as declared, with the attempts participants calibrate σ for (planned rounds plus reruns).</summary>
    private static ExampleLevelDeclaration Declaration(ExamplePrivacyDefinition e, int plannedRounds) =>
        new(e.EpsilonBudget, e.Delta, Accountants.Name(Accountants.ParseOrDefault(e.Accountant)), e.ClipNorm, e.NoiseMultiplier, e.ExpectedBatchSize,
            CalibrationAttempts.For(plannedRounds));
}

/// <summary>
/// What one round charged at the participant level: the noise the sum carried and ε after it under both accountants; with
/// secure aggregation also the worst-case ε against the coordinator (null with central noise: no guarantee against it).
/// In a ledger of accounting version 2 also the round's sampler distance η and the δ each figure holds at with it paid;
/// of version 3 also the inputs they are derived from. <see cref="PrivacyPlan"/> is the round's (with adaptive clipping its
/// own clip norm), and <see cref="NoisyUnclippedCount"/> the count it released (adaptive clipping; null when it released none).
/// </summary>
internal sealed record ParticipantLevelCharge(
    PrivacyPlan Plan, double NoiseMultiplier, double Sensitivity, double EpsilonRdp, double EpsilonPld,
    double? EpsilonAgainstCoordinatorRdp = null, double? EpsilonAgainstCoordinatorPld = null,
    double? SamplerTvDistance = null, double? DeltaTotal = null, double? DeltaTotalAgainstCoordinator = null,
    NoiseInputs? Inputs = null, double? NoisyUnclippedCount = null);
