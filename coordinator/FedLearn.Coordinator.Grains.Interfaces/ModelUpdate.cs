namespace FedLearn.Coordinator.Grains;

/// <summary>
/// One participant's update for a round attempt: the change to the global weights, its FedAvg weight, and — in a session
/// with an example-level guarantee — the participant's example-level ε after this round.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.ModelUpdate")]
public sealed record ModelUpdate(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] int Attempt,
    [property: Id(2)] long NumExamples,
    [property: Id(3)] float[] Delta,
    [property: Id(4)] double? ExampleEpsilon = null,
    // Adaptive clipping: +1 within the round's clip norm, −1 above, 0 for the zero update (FedLearn.Privacy.AdaptiveClipping).
    [property: Id(5)] int? ClipReport = null);

/// <summary>Metrics a participant measured on its own data.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.LocalMetricsReport")]
public sealed record LocalMetricsReport(
    [property: Id(0)] string ParticipantId,
    [property: Id(1)] double TrainLoss,
    [property: Id(2)] double TrainAccuracy,
    [property: Id(3)] long NumExamples);

/// <summary>Whether an update was taken into the round's aggregate, and why not.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.UpdateReceipt")]
public sealed record UpdateReceipt([property: Id(0)] bool Accepted, [property: Id(1)] string? Reason)
{
    public static readonly UpdateReceipt Ok = new(true, null);

    public static UpdateReceipt Rejected(string reason) => new(false, reason);
}
