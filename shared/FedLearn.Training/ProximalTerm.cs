namespace FedLearn.Training;

/// <summary>
/// FedProx's proximal term μ/2·‖w − w⁰‖² (Li et al. 2020, "Federated Optimization in Heterogeneous Networks", eq. 2), which
/// keeps local training near the round's global model w⁰. Its gradient μ·(w − w⁰) reads no training example, only the
/// current weights (themselves the output of the earlier private steps) and w⁰ (the coordinator's model): a DP-SGD step
/// may add it after clipping and noising the examples' gradients and remain the same Gaussian mechanism followed by
/// post-processing (Dwork &amp; Roth 2014, Prop. 2.1), so the accounting is unchanged.
/// </summary>
public static class ProximalTerm
{
    /// <summary>gradient += μ·(weights − anchor), elementwise.</summary>
    public static void AddGradient(Span<float> gradient, ReadOnlySpan<float> weights, ReadOnlySpan<float> anchor, float mu)
    {
        if (gradient.Length != weights.Length || anchor.Length != weights.Length)
        {
            throw new ArgumentException("Gradient, weights and anchor differ in length.", nameof(anchor));
        }
        for (var i = 0; i < gradient.Length; i++)
        {
            gradient[i] += mu * (weights[i] - anchor[i]);
        }
    }
}
