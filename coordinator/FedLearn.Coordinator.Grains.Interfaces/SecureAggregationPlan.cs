namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A secure-aggregation round's public parameters (SecAgg+ graph, threshold, encoding, per-participant noise). One copy
/// per participant differs only in <see cref="Index"/>; nothing here is secret. <see cref="MinimumSurvivors"/> is s_min,
/// the fewest masked inputs the attempt unmasks with; the noise is sized for its s_min − c(n) certainly honest shares
/// (c(n): the colluders a cohort of n may hold, FedLearn.SecureAggregation's <c>ColluderBound</c>).
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.SecureAggregationPlan")]
public sealed record SecureAggregationPlan(
    [property: Id(0)] int Index,
    [property: Id(1)] int Participants,
    [property: Id(2)] int Neighbors,
    [property: Id(3)] int Threshold,
    [property: Id(4)] byte[] RoundId,
    [property: Id(5)] byte[] GraphSeed,
    [property: Id(6)] double Gamma,
    [property: Id(7)] bool Rotate,
    [property: Id(8)] byte[] RotationSeed,
    [property: Id(9)] ulong GridNoiseVariance,
    [property: Id(10)] int MinimumSurvivors);

/// <summary>The stages of a secure-aggregation round as participants see them (send or wait).</summary>
public enum SecureAggregationStage
{
    AdvertiseKeys = 1,
    NeighborKeys = 2,
    ShareKeys = 3,
    ForwardedShares = 4,
    UnmaskRequest = 5,
    Unmask = 6,
}

/// <summary>The answer to a stage call: accepted / the awaited output, not ready yet, or why not.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.SecureStageReply")]
public sealed record SecureStageReply([property: Id(0)] bool Ready, [property: Id(1)] byte[]? Payload, [property: Id(2)] string? Error)
{
    public static readonly SecureStageReply NotReady = new(false, null, null);

    public static SecureStageReply Done(byte[]? payload = null) => new(true, payload, null);

    public static SecureStageReply Failed(string error) => new(false, null, error);
}
