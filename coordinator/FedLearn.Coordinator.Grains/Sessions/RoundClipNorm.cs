using FedLearn.Ledger;
using FedLearn.Privacy;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// The clip norm a round of a session with adaptive clipping runs with (Andrew et al. 2021, §2, geometric update). It is
/// derived from the ledger alone: the first round's is the plan's C₀, every later one follows from the previous entry's
/// clip norm and released noisy count (<see cref="AdaptiveClipping.NextClipNorm"/>), so a restarted coordinator resumes with
/// the same C and an auditor re-derives each one (docs/ledger.md, "Adaptive clipping"). Without adaptive clipping every
/// round uses the plan's clip norm.
/// </summary>
internal static class RoundClipNorm
{
    /// <summary>The clip norm of the round after <paramref name="last"/> (null: the first round).</summary>
    public static double After(PrivacyPlan plan, LedgerEntry? last) =>
        plan.AdaptiveClipping is not { } adaptive || last is null
            ? plan.ClipNorm
            : After(plan, last.ClipNorm ?? plan.ClipNorm, last.NoisyUnclippedCount, last.ParticipantsAggregated);

    /// <summary>The next round's clip norm after a round that ran with <paramref name="clipNorm"/> and released
    /// <paramref name="noisyUnclippedCount"/> over <paramref name="aggregated"/> updates (null: it released none).</summary>
    public static double After(PrivacyPlan plan, double clipNorm, double? noisyUnclippedCount, int aggregated) =>
        plan.AdaptiveClipping is not { } adaptive
            ? plan.ClipNorm
            : AdaptiveClipping.NextClipNorm(clipNorm, noisyUnclippedCount, aggregated, adaptive.TargetQuantile, adaptive.LearningRate);

    /// <summary>The plan a round runs with: the session's, with this round's clip norm when it adapts.</summary>
    public static PrivacyPlan ForRound(PrivacyPlan plan, double clipNorm) =>
        plan.AdaptiveClipping is null ? plan : plan with { ClipNorm = clipNorm };
}
