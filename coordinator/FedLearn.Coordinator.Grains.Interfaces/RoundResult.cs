namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A closed round attempt. When every condition held (enough updates, enough secure-aggregation survivors) it holds the
/// aggregate its aggregator released, <see cref="AverageDelta"/>: the example-weighted mean of the updates (a session
/// without participant-level privacy) or the noisy sum of clipped updates over the expected cohort q·N, with the noise it
/// carries in <see cref="Noise"/> (the charge). The un-noised sum never leaves the round grain. Otherwise
/// <see cref="AbortReason"/> says why not, and nothing was unmasked or noised.
/// <see cref="ExampleEpsilonMax"/> is the largest example-level ε the aggregated participants reported (sessions with an
/// example-level guarantee only). <see cref="NoisyUnclippedCount"/> (adaptive clipping) is the released noisy count of
/// aggregated updates that were within the round's clip norm, from which the next round's clip norm follows.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.RoundResult")]
public sealed record RoundResult(
    [property: Id(0)] int Attempt,
    [property: Id(1)] int ParticipantsSelected,
    [property: Id(2)] int ParticipantsAggregated,
    [property: Id(3)] long ExamplesAggregated,
    [property: Id(4)] double TrainLoss,
    [property: Id(5)] float[]? AverageDelta,
    [property: Id(6)] string? AbortReason,
    [property: Id(7)] DateTimeOffset StartedAt,
    [property: Id(8)] DateTimeOffset ClosedAt,
    [property: Id(10)] NoiseInSum? Noise = null,
    [property: Id(11)] double? ExampleEpsilonMax = null,
    [property: Id(12)] double? NoisyUnclippedCount = null)
{
    public bool Aborted => AbortReason is not null;
}

/// <summary>
/// The noise in a released private aggregate: the accountant's noise multiplier (std of the noise over the sensitivity),
/// that sensitivity (the clip norm; with secure aggregation inflated by rounding) and how many updates the sum holds.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.NoiseInSum")]
public sealed record NoiseInSum([property: Id(0)] double NoiseMultiplier, [property: Id(1)] double Sensitivity, [property: Id(2)] int Survivors);
