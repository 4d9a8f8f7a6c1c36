namespace FedLearn.Coordinator.Grains;

/// <summary>
/// What the ML engineer asks for: a budget and the mechanism's knobs. NoiseMultiplier 0 means "calibrate".
/// DropoutAllowance (secure aggregation only; null = <see cref="PrivacyPlan.DefaultDropoutAllowance"/>): the fraction of a
/// round's cohort that may drop out while the attempt still unmasks; the noise is sized for the survivors that leaves.
/// ColluderFraction (secure aggregation only; null = <see cref="PrivacyPlan.DefaultColluderFraction"/>): ρ, the fraction of
/// the connected participants assumed to collude with the coordinator; their noise shares are not counted.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.PrivacyDefinition")]
public sealed record PrivacyDefinition(
    [property: Id(0)] double EpsilonBudget,
    [property: Id(1)] double Delta,
    [property: Id(2)] string Accountant,
    [property: Id(3)] double NoiseMultiplier,
    [property: Id(4)] double ClipNorm,
    [property: Id(5)] double SamplingRate,
    [property: Id(6)] bool CentralNoise = false,
    [property: Id(7)] double? DropoutAllowance = null,
    // SHA-256 of an audit's seed, K, K' and confidence (docs/audit.md), fixed at creation; null: the session cannot be audited.
    [property: Id(8)] byte[]? AuditCommitment = null,
    // Null: the clip norm is fixed. Otherwise it follows a quantile of the update norms (Andrew et al. 2021).
    [property: Id(9)] AdaptiveClippingDefinition? AdaptiveClipping = null,
    [property: Id(10)] double? ColluderFraction = null);
