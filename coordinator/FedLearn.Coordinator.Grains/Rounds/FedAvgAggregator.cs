namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// A session without participant-level privacy: releases the session's combination of the updates (FedAvg's
/// example-weighted mean Σnᵢ·Δᵢ / Σnᵢ, or a coordinate-wise robust rule; <see cref="UpdateAggregate"/>), with no noise.
/// </summary>
internal sealed class FedAvgAggregator(UpdateAggregate aggregate) : IUpdateAggregator
{
    public int Count => aggregate.Count;

    public long Examples => aggregate.TotalWeight;

    public void Add(ReadOnlySpan<float> delta, long examples, int? clipReport = null) => aggregate.Add(delta, examples);

    public AggregateRelease Release() => new(aggregate.Average(), null);
}
