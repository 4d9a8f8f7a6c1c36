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
    /// enforces before unmasking, of whom only the s_min − c(n) certainly honest count, over the rounding-inflated
    /// sensitivity (<see cref="SecureAggregationPlanner.WorstCaseNoiseMultiplier"/>, Kairouz, Liu &amp; Steinke 2021,
    /// Prop. 14). It is the attempt's one charge: the ledger composes it with q = 1 for the worst case against the
    /// coordinator (D4), which knows the cohort but sees only the masked sum and its honest noise, and each participant
    /// computes the same σ from its task for its own figure, so that figure never exceeds the ledger's worst case. The
    /// ledger's noise inputs and η come from this plan, the one the attempt runs with.
    /// </summary>
    public static AttemptCharge Secure(SecureAggregationPlan secure, int dimension, PrivacyPlan privacy)
    {
        var encoding = SecureAggregationEncoding.For(secure, dimension, privacy);
        // Adaptive clipping: the same certainly honest shares also noise the report sum (Andrew et al. 2021, §3).
        long? reportVariance = privacy.AdaptiveClipping is { } adaptive
            ? checked((long)FedLearn.Privacy.AdaptiveClipping.SecureReportShareVariance(adaptive.BitNoiseStddev, encoding.HonestShares))
            : null;
        var inputs = new NoiseInputs(dimension, secure.Gamma, checked((long)secure.GridNoiseVariance), encoding.PaddedDimension, secure.Threshold,
            secure.MinimumSurvivors, privacy.DropoutAllowance, privacy.ColluderFraction, reportVariance, encoding.Colluders, ColluderBound.FailureProbability);
        return new(SecureAggregationPlanner.WorstCaseNoiseMultiplier(secure, dimension, privacy), encoding.EffectiveSensitivity(), inputs,
            Math.Min(1, encoding.NoiseStatisticalDistance(secure.Participants)));
    }

    /// <summary>
    /// An attempt of a central-noise session (the plan's σ over the sensitivity the grid mechanism charges, C + γ√d), or a
    /// draw that cannot open (<paramref name="opens"/> false: below the minimum cohort, or a secure cohort whose colluders
    /// leave no certainly honest share), to which nothing is sent and which releases nothing: any Gaussian step bounds it,
    /// and the plan's σ keeps the ledger on the planned schedule. A central round records its grid either way; η is 0 for
    /// a draw that draws no noise.
    /// </summary>
    /// <remarks>With adaptive clipping the plan's σ is the joint release's (Andrew et al. 2021, §3): the sum is noised at the
    /// larger z_Δ (<see cref="PrivacyPlan.SumNoiseMultiplier"/>), whose grid sets the sensitivity, and the count at 2σ_b or
    /// more, so the pair carries at least σ. The count's noise comes from the exact sampler: it adds nothing to η.</remarks>
    public static AttemptCharge Planned(PrivacyPlan privacy, int dimension, bool opens)
    {
        if (privacy.SecureAggregation)
        {
            return new(privacy.NoiseMultiplier, privacy.ClipNorm, null, 0); // no plan, no noise drawn
        }
        var sum = privacy.SumNoiseMultiplier;
        var inputs = new NoiseInputs(dimension, GridGaussianMechanism.Grid(privacy.ClipNorm, sum, dimension),
            checked((long)GridGaussianMechanism.RequestedVariance(privacy.ClipNorm, sum, dimension)));
        return new(privacy.NoiseMultiplier, GridGaussianMechanism.ChargedSensitivity(privacy.ClipNorm, sum, dimension), inputs,
            opens ? Math.Min(1, GridGaussianMechanism.StatisticalDistance(privacy.ClipNorm, sum, dimension)) : 0);
    }

    /// <summary>
    /// The ledger's noise inputs of an attempt recorded before attempts stored them (accounting version 3): central noise
    /// the grid <see cref="GridGaussianMechanism"/> uses; a secure round the plan its cohort of <paramref name="selected"/>
    /// opened with, rebuilt (deterministic in the cohort, the dimension and the privacy plan), or null for a draw below
    /// <paramref name="minimum"/>, which opened no plan and was sent nothing.
    /// </summary>
    public static NoiseInputs? LegacyInputs(PrivacyPlan privacy, int dimension, int selected, int minimum)
    {
        if (!privacy.SecureAggregation)
        {
            return Planned(privacy, dimension, opens: true).Inputs;
        }
        return selected < minimum || selected == 0 ? null : Secure(SecureAggregationPlanner.Plan(selected, dimension, privacy, minimum), dimension, privacy).Inputs;
    }

    /// <summary>
    /// η of an attempt recorded before attempts stored it: an upper bound on the total variation distance between the noise
    /// a round's attempt may release and exact discrete Gaussian noise, which the ledger pays for in δ (docs/ledger.md,
    /// <c>delta_total</c>). 0 for a draw below <paramref name="minimum"/>, to which nothing was sent. Otherwise counted
    /// whether or not the attempt released, since a lost attempt may have: central noise draws d coordinates
    /// (<see cref="GridGaussianMechanism.StatisticalDistance"/>, ≈ 2^−91 each); in a secure round each of the
    /// <paramref name="selected"/> participants draws D (the table's bound, ≤ 2^−70 each;
    /// <see cref="FedLearn.SecureAggregation.Encoding.EncodingParameters.NoiseStatisticalDistance"/>), an upper bound on the survivors'.
    /// </summary>
    public static double LegacySamplerDistance(PrivacyPlan privacy, int dimension, int selected, int minimum)
    {
        if (selected < minimum || selected == 0)
        {
            return 0;
        }
        return privacy.SecureAggregation
            ? Secure(SecureAggregationPlanner.Plan(selected, dimension, privacy, minimum), dimension, privacy).SamplerDistance!.Value
            : Planned(privacy, dimension, opens: true).SamplerDistance!.Value;
    }
}
