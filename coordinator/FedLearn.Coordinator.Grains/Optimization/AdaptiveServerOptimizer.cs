namespace FedLearn.Coordinator.Grains.Optimization;

/// <summary>The second-moment rule of Reddi et al. 2021, Algorithm 2.</summary>
internal enum AdaptiveRule
{
    Adagrad,
    Yogi,
    Adam,
}

/// <summary>
/// FedAdagrad, FedYogi and FedAdam: Reddi et al. 2021, "Adaptive Federated Optimization", Algorithm 2, coordinate-wise with
/// Δ_t the round's released aggregate (Alg. 2 line "Δ_t = (1/|S|) Σ Δ_i^t"; here the example-weighted or noisy mean):
/// <code>
///   m_t = β₁·m_{t−1} + (1 − β₁)·Δ_t
///   FedAdagrad: v_t = v_{t−1} + Δ_t²
///   FedYogi:    v_t = v_{t−1} − (1 − β₂)·Δ_t²·sign(v_{t−1} − Δ_t²)
///   FedAdam:    v_t = β₂·v_{t−1} + (1 − β₂)·Δ_t²
///   x_{t+1} = x_t + η·m_t / (√v_t + τ)
/// </code>
/// with m_{−1} = 0 and v_{−1} = τ² (Alg. 2 initialises v_{−1} ≥ τ²). Like Alg. 2, no bias correction. Computed in double,
/// the moments stored as float32; the stored values move the model, so a restarted coordinator repeats a step exactly.
/// </summary>
internal sealed class AdaptiveServerOptimizer(AdaptiveRule rule, double learningRate, double beta1, double beta2, double tau)
    : ServerOptimizer(learningRate)
{
    public override bool IsStateful => true;

    protected override bool HasFirstMoment => true;

    protected override bool HasSecondMoment => true;

    public override ServerOptimizerState Initial(int parameterCount)
    {
        var v = new float[parameterCount];
        Array.Fill(v, (float)(tau * tau));
        return new ServerOptimizerState(0, new float[parameterCount], v);
    }

    protected override ServerStep Apply(ReadOnlySpan<float> weights, ReadOnlySpan<float> delta, ServerOptimizerState state)
    {
        var (mPrevious, vPrevious) = (state.FirstMoment!, state.SecondMoment!);
        var m = new float[weights.Length];
        var v = new float[weights.Length];
        var next = new float[weights.Length];
        for (var i = 0; i < next.Length; i++)
        {
            double d = delta[i];
            var squared = d * d;
            m[i] = (float)((beta1 * mPrevious[i]) + ((1 - beta1) * d));
            v[i] = (float)SecondMoment(vPrevious[i], squared);
            next[i] = (float)(weights[i] + (LearningRate * m[i] / (Math.Sqrt(v[i]) + tau)));
        }
        return new ServerStep(next, new ServerOptimizerState(state.Steps + 1, m, v));
    }

    /// <summary>v_t from v_{t−1} and Δ_t² by the rule's line of Algorithm 2. Never negative when v_{t−1} ≥ 0 (Yogi moves v towards Δ² by at most (1 − β₂)·Δ²).</summary>
    private double SecondMoment(double previous, double squared) => rule switch
    {
        AdaptiveRule.Adagrad => previous + squared,
        AdaptiveRule.Yogi => previous - ((1 - beta2) * squared * Math.Sign(previous - squared)),
        _ => (beta2 * previous) + ((1 - beta2) * squared),
    };
}
