namespace FedLearn.Coordinator.Grains;

/// <summary>
/// Adaptive clipping as the ML engineer asks for it (Andrew et al. 2021; admin.proto AdaptiveClippingConfig): the target
/// quantile γ of the update norms, the geometric update's step η_C, the first round's clip norm C₀ (0: the privacy
/// definition's clip norm) and σ_b, the noise on the count of unclipped updates.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.AdaptiveClippingDefinition")]
public sealed record AdaptiveClippingDefinition(
    [property: Id(0)] double TargetQuantile,
    [property: Id(1)] double LearningRate,
    [property: Id(2)] double InitialClipNorm,
    [property: Id(3)] double BitNoiseStddev);

/// <summary>
/// A session's resolved adaptive clipping: with <see cref="UpdateNoiseMultiplier"/> z_Δ, the noise multiplier the sum of
/// clipped updates is noised with so that the joint release with the noisy count has the plan's σ, and the integer variance
/// of the count's noise in central mode, ⌈(2σ_b)²⌉ (FedLearn.Privacy.AdaptiveClipping).
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.AdaptiveClippingPlan")]
public sealed record AdaptiveClippingPlan(
    [property: Id(0)] double TargetQuantile,
    [property: Id(1)] double LearningRate,
    [property: Id(2)] double BitNoiseStddev,
    [property: Id(3)] double InitialClipNorm,
    [property: Id(4)] double UpdateNoiseMultiplier,
    [property: Id(5)] long ReportNoiseVariance);
