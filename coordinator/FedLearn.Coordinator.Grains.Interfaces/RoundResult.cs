namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A closed round attempt. When at least the minimum number of updates arrived it holds either their example-weighted
/// mean (<see cref="AverageDelta"/>, a session without differential privacy) or the plain sum of the updates clipped to
/// the clip norm (<see cref="ClippedSum"/>, to which the session adds noise). Otherwise <see cref="AbortReason"/> says why not.
/// <see cref="ExampleEpsilonMax"/> is the largest example-level ε the aggregated participants reported (sessions with an
/// example-level guarantee only).
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
    [property: Id(9)] float[]? ClippedSum = null,
    [property: Id(10)] NoiseInSum? Noise = null,
    [property: Id(11)] double? ExampleEpsilonMax = null)
{
    public bool Aborted => AbortReason is not null;
}

/// <summary>
/// The noise secure aggregation left in <see cref="RoundResult.ClippedSum"/>: the accountant's noise multiplier (std of
/// the survivors' summed noise over the sensitivity) and that sensitivity (clip norm inflated by rounding).
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.NoiseInSum")]
public sealed record NoiseInSum([property: Id(0)] double NoiseMultiplier, [property: Id(1)] double Sensitivity, [property: Id(2)] int Survivors);
