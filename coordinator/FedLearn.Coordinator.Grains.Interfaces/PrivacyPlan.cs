namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A session's resolved differential-privacy parameters (σ calibrated if it was not given). Sent with every task and
/// recorded with every ledger entry. <see cref="DropoutAllowance"/> a (secure aggregation; 0 with central noise): an
/// attempt over a cohort of n unmasks only with at least s_min = max(t, minimum, n − ⌈a·n⌉) masked inputs, and each
/// share's noise is sized for the s_min − c(n) certainly honest ones (docs/secure-aggregation.md). <see cref="ColluderFraction"/>
/// ρ (secure aggregation; 0 with central noise): at most this fraction of the participants connected at a draw collude with
/// the coordinator, so a cohort of n holds at most c(n) of them except with probability δ_c (FedLearn.SecureAggregation's
/// <c>ColluderBound</c>). A plan stored before a member existed reads with its default. With <see cref="AdaptiveClipping"/>, <see cref="ClipNorm"/> is the clip norm
/// of round 1 in the session's plan and the round's own in a round task, and <see cref="NoiseMultiplier"/> the σ of the
/// joint release each round is charged.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.PrivacyPlan")]
public sealed record PrivacyPlan(
    [property: Id(0)] string Mechanism,
    [property: Id(1)] double SamplingRate,
    [property: Id(2)] double NoiseMultiplier,
    [property: Id(3)] double ClipNorm,
    [property: Id(4)] double EpsilonBudget,
    [property: Id(5)] double Delta,
    [property: Id(6)] string Accountant,
    [property: Id(7)] bool SecureAggregation,
    [property: Id(8)] double DropoutAllowance = PrivacyPlan.DefaultDropoutAllowance,
    [property: Id(9)] AdaptiveClippingPlan? AdaptiveClipping = null,
    [property: Id(10)] double ColluderFraction = PrivacyPlan.DefaultColluderFraction)
{
    /// <summary>
    /// The colluder fraction ρ of a secure session that does not set one (FedLearn.SecureAggregation's
    /// <c>DistributedNoiseGuarantee.AssumedCorruptionRate</c>, the same value).
    /// </summary>
    public const double DefaultColluderFraction = 0.05;

    /// <summary>
    /// The dropout allowance of a secure session that does not set one: twice the 5% dropout the SecAgg+ graph is chosen
    /// for (FedLearn.SecureAggregation's <c>DistributedNoiseGuarantee.DefaultDropoutAllowance</c>, the same value).
    /// </summary>
    public const double DefaultDropoutAllowance = 0.1;

    /// <summary>Participants clip, the coordinator adds N(0, σ²C²) to the sum of clipped updates.</summary>
    public const string CentralGaussian = "central_gaussian";

    /// <summary>Participants clip, encode, add discrete Gaussian noise and mask; the coordinator learns only the noisy sum.</summary>
    public const string DistributedDiscreteGaussian = "distributed_discrete_gaussian";

    /// <summary>The L2 sensitivity of the sum of clipped updates under add/remove-one-participant adjacency.</summary>
    public double Sensitivity => ClipNorm;

    /// <summary>
    /// The noise multiplier the sum of clipped updates is noised with: σ, or with adaptive clipping z_Δ &gt; σ, so that the
    /// sum and the noisy count of unclipped updates together carry σ (Andrew et al. 2021, §3).
    /// </summary>
    public double SumNoiseMultiplier => AdaptiveClipping?.UpdateNoiseMultiplier ?? NoiseMultiplier;
}

/// <summary>Where a session stands against its budget.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.PrivacySummary")]
public sealed record PrivacySummary(
    [property: Id(0)] PrivacyPlan Plan,
    [property: Id(1)] double EpsilonSpent,
    [property: Id(2)] double EpsilonPlanned);
