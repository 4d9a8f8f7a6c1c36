namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// The running FedAvg numerator Σ nᵢ·Δᵢ and denominator Σ nᵢ (McMahan et al. 2017, "Communication-Efficient Learning of Deep
/// Networks from Decentralized Data", Algorithm 1), each Δᵢ first bounded to the session's L2 norm. Accumulated in double so
/// the order updates arrive in barely matters, and the weight sum in checked arithmetic. Only the sum is kept: the round
/// never stores an individual update after adding it.
/// </summary>
public sealed class WeightedUpdateSum(int parameterCount, double maxUpdateNorm = double.PositiveInfinity)
    : UpdateAggregate(parameterCount, maxUpdateNorm)
{
    private readonly double[] _sum = new double[parameterCount];

    protected override void AddScaled(ReadOnlySpan<float> delta, double scale, long weight)
    {
        var factor = weight * scale;
        for (var i = 0; i < _sum.Length; i++)
        {
            _sum[i] += factor * delta[i];
        }
    }

    /// <summary>Σ nᵢ·Δᵢ / Σ nᵢ.</summary>
    protected override float[] Combine()
    {
        var average = new float[_sum.Length];
        for (var i = 0; i < average.Length; i++)
        {
            average[i] = (float)(_sum[i] / TotalWeight);
        }
        return average;
    }

    /// <summary>The server step of FedAvg with a server learning rate η (Reddi et al. 2021, "Adaptive Federated Optimization", Alg. 1 with SGD): w + η·Δ̄.</summary>
    public static float[] ApplyServerStep(ReadOnlySpan<float> weights, ReadOnlySpan<float> averageDelta, double serverLearningRate)
    {
        if (weights.Length != averageDelta.Length)
        {
            throw new ArgumentException("Weights and update differ in length.", nameof(averageDelta));
        }
        var next = new float[weights.Length];
        for (var i = 0; i < next.Length; i++)
        {
            next[i] = (float)(weights[i] + serverLearningRate * averageDelta[i]);
        }
        return next;
    }
}
