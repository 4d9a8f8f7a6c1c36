namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>The L2 norm of an update and the factor that bounds it (norm bounding, Sun et al. 2019, "Can You Really
/// Backdoor Federated Learning?", §4: Δ·min(1, M/‖Δ‖₂)).</summary>
public static class UpdateNorm
{
    /// <summary>‖Δ‖₂ accumulated in double, so finite float updates (|x| ≤ 3.4e38) never overflow to infinity.</summary>
    public static double L2(ReadOnlySpan<float> delta)
    {
        double squared = 0;
        foreach (var value in delta)
        {
            squared += (double)value * value;
        }
        return Math.Sqrt(squared);
    }

    /// <summary>min(1, bound/norm); 1 for an unbounded (infinite) bound. A NaN norm gives 0, so a poisoned value adds nothing.</summary>
    public static double ClipScale(double norm, double bound) =>
        norm <= bound ? 1.0 : double.IsNaN(norm) ? 0.0 : bound / norm;
}
