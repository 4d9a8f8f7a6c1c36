using System.Numerics;
using System.Runtime.InteropServices;

namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>The L2 norm of an update and the factor that bounds it (norm bounding, Sun et al. 2019, "Can You Really
/// Backdoor Federated Learning?", §4: Δ·min(1, M/‖Δ‖₂)).</summary>
public static class UpdateNorm
{
    /// <summary>‖Δ‖₂ accumulated in double, so finite float updates (|x| ≤ 3.4e38) never overflow to infinity; widened and
    /// squared many lanes at a time (one scan of a model-sized update per check, inside the round's turn).</summary>
    public static double L2(ReadOnlySpan<float> delta)
    {
        double squared = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && delta.Length >= Vector<float>.Count)
        {
            var lanes = Vector<double>.Zero;
            var inputs = MemoryMarshal.Cast<float, Vector<float>>(delta);
            foreach (var input in inputs)
            {
                Vector.Widen(input, out var low, out var high);
                lanes += (low * low) + (high * high);
            }
            squared = Vector.Sum(lanes);
            i = inputs.Length * Vector<float>.Count;
        }
        for (; i < delta.Length; i++)
        {
            squared += (double)delta[i] * delta[i];
        }
        return Math.Sqrt(squared);
    }

    /// <summary>The index of the first NaN or infinity, or −1 when every value is finite (x − x is 0 exactly for finite x).</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        var start = 0;
        if (Vector.IsHardwareAccelerated && values.Length >= Vector<float>.Count)
        {
            var inputs = MemoryMarshal.Cast<float, Vector<float>>(values);
            var v = 0;
            while (v < inputs.Length && Vector.EqualsAll(inputs[v] - inputs[v], Vector<float>.Zero))
            {
                v++;
            }
            start = v * Vector<float>.Count;
        }
        for (var i = start; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>min(1, bound/norm); 1 for an unbounded (infinite) bound. A NaN norm gives 0, so a poisoned value adds nothing.</summary>
    public static double ClipScale(double norm, double bound) =>
        norm <= bound ? 1.0 : double.IsNaN(norm) ? 0.0 : bound / norm;
}
