using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// What an attempt of a private session is charged, decided before it opens (D2/D5 in docs/threat-model.md): whatever
/// becomes of the attempt — it commits, aborts, or is lost in a crash — its round commits with this charge or a smaller ε.
/// </summary>
internal static class AttemptCharges
{
    /// <summary>
    /// An attempt with a secure-aggregation plan: the least noise the sum can carry — the s_min survivors the round
    /// enforces before unmasking, of whom only the s_min − ⌊ρ·n⌋ certainly honest count, over the rounding-inflated
    /// sensitivity (<see cref="SecureAggregationPlanner.WorstCaseNoiseMultiplier"/>, Kairouz, Liu &amp; Steinke 2021,
    /// Prop. 14). It is the attempt's one charge: the ledger composes it with q = 1 for the worst case against the
    /// coordinator (D4), which knows the cohort but sees only the masked sum and its honest noise, and each participant
    /// computes the same σ from its task for its own figure, so that figure never exceeds the ledger's worst case.
    /// </summary>
    public static AttemptCharge Secure(SecureAggregationPlan secure, int dimension, PrivacyPlan privacy) =>
        new(SecureAggregationPlanner.WorstCaseNoiseMultiplier(secure, dimension, privacy),
            SecureAggregationEncoding.For(secure, dimension, privacy).EffectiveSensitivity());

    /// <summary>
    /// An attempt of a central-noise session (the plan's σ over the sensitivity the grid mechanism charges, C + γ√d), or a
    /// draw below the minimum cohort, to which nothing is sent and which releases nothing: any Gaussian step bounds it, and
    /// the plan's σ keeps the ledger on the planned schedule.
    /// </summary>
    /// <remarks>With adaptive clipping the plan's σ is the joint release's (Andrew et al. 2021, §3): the sum is noised at the
    /// larger z_Δ (<see cref="PrivacyPlan.SumNoiseMultiplier"/>), whose grid sets the sensitivity, and the count at 2σ_b or
    /// more, so the pair carries at least σ.</remarks>
    public static AttemptCharge Planned(PrivacyPlan privacy, int dimension) => new(privacy.NoiseMultiplier,
        privacy.SecureAggregation ? privacy.ClipNorm : GridGaussianMechanism.ChargedSensitivity(privacy.ClipNorm, privacy.SumNoiseMultiplier, dimension));

    /// <summary>
    /// The inputs the ledger records for an auditor to re-derive the round's sensitivity, σ and η (accounting version 3):
    /// central noise the grid <see cref="GridGaussianMechanism"/> uses; a secure round the plan its cohort of
    /// <paramref name="selected"/> opened with (deterministic in the cohort, the dimension and the privacy plan), or null for a
    /// draw below <paramref name="minimum"/>, which opened no plan and was sent nothing.
    /// </summary>
    public static NoiseInputs? Inputs(PrivacyPlan privacy, int dimension, int selected, int minimum)
    {
        if (!privacy.SecureAggregation)
        {
            return new(dimension, GridGaussianMechanism.Grid(privacy.ClipNorm, privacy.SumNoiseMultiplier, dimension),
                checked((long)GridGaussianMechanism.RequestedVariance(privacy.ClipNorm, privacy.SumNoiseMultiplier, dimension)));
        }
        if (selected < minimum || selected == 0)
        {
            return null;
        }
        var plan = SecureAggregationPlanner.Plan(selected, dimension, privacy, minimum);
        var encoding = SecureAggregationEncoding.For(plan, dimension, privacy);
        long? reportVariance = privacy.AdaptiveClipping is { } adaptive
            ? checked((long)FedLearn.Privacy.AdaptiveClipping.SecureReportShareVariance(adaptive.BitNoiseStddev,
                DistributedNoiseGuarantee.HonestShares(plan.MinimumSurvivors, selected)))
            : null;
        return new(dimension, plan.Gamma, checked((long)plan.GridNoiseVariance), encoding.PaddedDimension, plan.Threshold, plan.MinimumSurvivors,
            privacy.DropoutAllowance, DistributedNoiseGuarantee.AssumedCorruptionRate, reportVariance);
    }

    /// <summary>
    /// η: an upper bound on the total variation distance between the noise a round's attempt may release and exact
    /// discrete Gaussian noise, which the ledger pays for in δ (docs/ledger.md, <c>delta_total</c>). 0 for a draw below
    /// <paramref name="minimum"/>, to which nothing was sent. Otherwise counted whether or not the attempt released, since
    /// a lost attempt may have: central noise draws d coordinates (<see cref="GridGaussianMechanism.StatisticalDistance"/>,
    /// ≈ 2^−91 each); in a secure round each of the <paramref name="selected"/> participants draws D (the table's bound,
    /// ≤ 2^−70 each; <see cref="FedLearn.SecureAggregation.Encoding.EncodingParameters.NoiseStatisticalDistance"/>), an upper bound on the survivors'.
    /// </summary>
    public static double SamplerDistance(PrivacyPlan privacy, int dimension, int selected, int minimum)
    {
        if (selected < minimum || selected == 0)
        {
            return 0;
        }
        if (!privacy.SecureAggregation)
        {
            // The count's noise (adaptive clipping) comes from the exact sampler: it adds nothing to η.
            return Math.Min(1, GridGaussianMechanism.StatisticalDistance(privacy.ClipNorm, privacy.SumNoiseMultiplier, dimension));
        }
        var encoding = SecureAggregationEncoding.For(SecureAggregationPlanner.Plan(selected, dimension, privacy, minimum), dimension, privacy);
        return Math.Min(1, encoding.NoiseStatisticalDistance(selected));
    }
}
