namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A session's resolved differential-privacy parameters (σ calibrated if it was not given). Sent with every task and
/// recorded with every ledger entry.
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
    [property: Id(7)] bool SecureAggregation)
{
    /// <summary>Participants clip, the coordinator adds N(0, σ²C²) to the sum of clipped updates.</summary>
    public const string CentralGaussian = "central_gaussian";

    /// <summary>Participants clip, encode, add discrete Gaussian noise and mask; the coordinator learns only the noisy sum.</summary>
    public const string DistributedDiscreteGaussian = "distributed_discrete_gaussian";

    /// <summary>The L2 sensitivity of the sum of clipped updates under add/remove-one-participant adjacency.</summary>
    public double Sensitivity => ClipNorm;
}

/// <summary>Where a session stands against its budget.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.PrivacySummary")]
public sealed record PrivacySummary(
    [property: Id(0)] PrivacyPlan Plan,
    [property: Id(1)] double EpsilonSpent,
    [property: Id(2)] double EpsilonPlanned);
