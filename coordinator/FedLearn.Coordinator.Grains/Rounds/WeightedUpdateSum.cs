using System.Buffers;
using System.Numerics;
using System.Runtime.InteropServices;

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
    // One accumulation buffer per attempt, from the shared pool (a model-sized double array is a large-object-heap
    // allocation); it goes back when the average is taken. Rented arrays are dirty and may be longer: cleared, and only
    // the first parameterCount entries are used.
    private double[]? _sum = RentCleared(parameterCount);

    private static double[] RentCleared(int length)
    {
        var buffer = ArrayPool<double>.Shared.Rent(length);
        Array.Clear(buffer, 0, length);
        return buffer;
    }

    private Span<double> Sum => (_sum ?? throw new InvalidOperationException("The sum was already released.")).AsSpan(0, ParameterCount);

    protected override void AddScaled(ReadOnlySpan<float> delta, double scale, long weight) =>
        AddTimes(Sum, delta, weight * scale);

    /// <summary>sum += factor·delta in double, eight or sixteen lanes at a time (widened from float), the tail one by one.</summary>
    internal static void AddTimes(Span<double> sum, ReadOnlySpan<float> delta, double factor)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && delta.Length >= Vector<float>.Count)
        {
            var f = new Vector<double>(factor);
            var lanes = MemoryMarshal.Cast<double, Vector<double>>(sum);
            var inputs = MemoryMarshal.Cast<float, Vector<float>>(delta);
            for (var v = 0; v < inputs.Length; v++)
            {
                Vector.Widen(inputs[v], out var low, out var high);
                lanes[2 * v] += low * f;
                lanes[(2 * v) + 1] += high * f;
            }
            i = inputs.Length * Vector<float>.Count;
        }
        for (; i < delta.Length; i++)
        {
            sum[i] += factor * delta[i];
        }
    }

    /// <summary>Σ nᵢ·Δᵢ / Σ nᵢ; the accumulation buffer returns to the pool.</summary>
    protected override float[] Combine()
    {
        var sum = Sum;
        var average = new float[sum.Length];
        for (var i = 0; i < average.Length; i++)
        {
            average[i] = (float)(sum[i] / TotalWeight);
        }
        ArrayPool<double>.Shared.Return(_sum!);
        _sum = null;
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
