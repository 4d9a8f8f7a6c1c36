namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// Coordinate-wise median or trimmed mean of the round's (norm-bounded) updates (Yin, Chen, Ramchandran & Bartlett 2018,
/// "Byzantine-Robust Distributed Learning: Towards Optimal Statistical Rates", §3, Definitions 1 and 2). Unweighted: a
/// participant's claimed example count buys it nothing, which is the point. Unlike FedAvg's running sum it keeps every
/// update of the round until the round closes (k·d floats), which is why only sessions without participant-level privacy
/// may use it: there the coordinator may see individual updates anyway.
/// </summary>
public sealed class CoordinateWiseAggregate : UpdateAggregate
{
    private readonly List<float[]> _updates = [];
    private readonly double? _trimFraction;

    /// <param name="trimFraction">β of the trimmed mean, in (0, 0.5); null for the median.</param>
    public CoordinateWiseAggregate(int parameterCount, double maxUpdateNorm, double? trimFraction)
        : base(parameterCount, maxUpdateNorm)
    {
        if (trimFraction is { } beta && !(beta is > 0 and < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(trimFraction), beta, "The trim fraction must be in (0, 0.5).");
        }
        _trimFraction = trimFraction;
    }

    /// <summary>
    /// Values removed at each end of every coordinate for k updates: ⌈β·k⌉ (at least one as soon as there are three, so a
    /// single outlier among three never survives), but never so many that nothing remains.
    /// </summary>
    public static int Trimmed(int count, double trimFraction) => Math.Min((int)Math.Ceiling(trimFraction * count), (count - 1) / 2);

    protected override void AddScaled(ReadOnlySpan<float> delta, double scale, long weight)
    {
        var copy = new float[delta.Length];
        for (var i = 0; i < copy.Length; i++)
        {
            copy[i] = (float)(scale * delta[i]);
        }
        _updates.Add(copy);
    }

    protected override float[] Combine()
    {
        var k = _updates.Count;
        var trim = _trimFraction is { } beta ? Trimmed(k, beta) : -1;
        var column = new float[k];
        var result = new float[ParameterCount];
        for (var i = 0; i < result.Length; i++)
        {
            for (var u = 0; u < k; u++)
            {
                column[u] = _updates[u][i];
            }
            Array.Sort(column);
            result[i] = trim < 0 ? Median(column) : Mean(column.AsSpan(trim, k - 2 * trim));
        }
        return result;
    }

    private static float Median(float[] sorted)
    {
        var middle = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[middle] : (float)(((double)sorted[middle - 1] + sorted[middle]) / 2);
    }

    private static float Mean(ReadOnlySpan<float> values)
    {
        double sum = 0;
        foreach (var value in values)
        {
            sum += value;
        }
        return (float)(sum / values.Length);
    }
}
