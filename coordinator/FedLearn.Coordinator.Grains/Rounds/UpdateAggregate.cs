namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// How a round without participant-level privacy combines the updates it accepts: FedAvg's example-weighted mean
/// (<see cref="WeightedUpdateSum"/>) or a coordinate-wise robust rule (<see cref="CoordinateWiseAggregate"/>). Every
/// update is first bounded to the session's L2 norm, so no single participant moves the result further than that bound
/// times its share of the weight, whatever it sends.
/// </summary>
public abstract class UpdateAggregate(int parameterCount, double maxUpdateNorm)
{
    protected int ParameterCount { get; } = parameterCount;

    /// <summary>Σ nᵢ over the updates added, with checked arithmetic (an overflow throws rather than flipping the sign).</summary>
    public long TotalWeight { get; private set; }

    public int Count { get; private set; }

    /// <summary>The session's aggregate for its limits.</summary>
    public static UpdateAggregate For(RobustnessDefinition limits, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits.Aggregation switch
        {
            RobustnessDefinition.Median => new CoordinateWiseAggregate(parameterCount, limits.MaxUpdateNorm, trimFraction: null),
            RobustnessDefinition.TrimmedMean => new CoordinateWiseAggregate(parameterCount, limits.MaxUpdateNorm, limits.TrimFraction),
            _ => new WeightedUpdateSum(parameterCount, limits.MaxUpdateNorm),
        };
    }

    /// <summary>Adds one update, scaled down to the norm bound if it exceeds it, with its FedAvg weight (examples, ≥ 1).</summary>
    public void Add(ReadOnlySpan<float> delta, long weight)
    {
        if (delta.Length != ParameterCount)
        {
            throw new ArgumentException($"Expected {ParameterCount} values, got {delta.Length}.", nameof(delta));
        }
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(weight);
        var total = checked(TotalWeight + weight);
        AddScaled(delta, UpdateNorm.ClipScale(UpdateNorm.L2(delta), maxUpdateNorm), weight);
        TotalWeight = total;
        Count++;
    }

    /// <summary>The combined update; throws when nothing was added.</summary>
    public float[] Average() => Count == 0 ? throw new InvalidOperationException("No updates were added.") : Combine();

    /// <summary>Adds scale·delta (scale in (0, 1], the norm bound's factor) with the given weight.</summary>
    protected abstract void AddScaled(ReadOnlySpan<float> delta, double scale, long weight);

    protected abstract float[] Combine();
}
