namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// One round attempt's aggregate, one implementation per mode: plain FedAvg (<see cref="FedAvgAggregator"/>), central
/// Gaussian noise (<see cref="CentralGaussianAggregator"/>) and the secure sum (<see cref="SecureAggregationRound"/>).
/// The round grain checks every condition (enough updates, enough survivors) first and only then asks for the release,
/// once; what leaves is the noisy aggregate together with the noise it carries, never the un-noised sum.
/// </summary>
internal interface IRoundAggregator
{
    /// <summary>How many participants' contributions the aggregate holds so far.</summary>
    int Count { get; }

    /// <summary>The released aggregate. Call once, after every condition for releasing was checked.</summary>
    AggregateRelease Release();
}

/// <summary>An aggregator that takes plain (unmasked) updates.</summary>
internal interface IUpdateAggregator : IRoundAggregator
{
    /// <summary>Σ nᵢ over the updates taken; 0 in a private round, where example counts are not released.</summary>
    long Examples { get; }

    /// <param name="clipReport">Adaptive clipping's report (+1 within the clip norm, −1 above, 0 for the zero update), which
    /// the round grain has checked is present exactly when the round adapts its clip norm; null otherwise.</param>
    void Add(ReadOnlySpan<float> delta, long examples, int? clipReport = null);
}

/// <summary>
/// What an aggregator releases: the model delta the session applies and, for a private aggregate, the noise it carries
/// (<see cref="Noise"/>, the privacy charge). Null noise means no differential privacy at the participant level.
/// </summary>
/// <see cref="NoisyUnclippedCount"/> is adaptive clipping's released count of updates within the clip norm (null without it).
internal sealed record AggregateRelease(float[] Delta, NoiseInSum? Noise, double? NoisyUnclippedCount = null);
