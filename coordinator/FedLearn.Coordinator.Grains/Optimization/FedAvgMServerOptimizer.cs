namespace FedLearn.Coordinator.Grains.Optimization;

/// <summary>
/// FedAvgM, FedAvg with server momentum (Hsu, Qi &amp; Brown 2019, "Measuring the Effects of Non-Identical Data Distribution
/// for Federated Visual Classification", §3; Reddi et al. 2021 compare against it as SGD with momentum for ServerOpt):
/// m_t = β·m_{t−1} + Δ_t, x_{t+1} = x_t + η·m_t, with m_{−1} = 0. The effective step on a steady Δ is η/(1 − β)·Δ
/// (Hsu et al. 2019 §3), so η = 1 − β moves as far as FedAvg with η = 1.
/// </summary>
internal sealed class FedAvgMServerOptimizer(double learningRate, double momentum) : ServerOptimizer(learningRate)
{
    public override bool IsStateful => true;

    protected override bool HasFirstMoment => true;

    protected override bool HasSecondMoment => false;

    public override ServerOptimizerState Initial(int parameterCount) => new(0, new float[parameterCount], null);

    protected override ServerStep Apply(ReadOnlySpan<float> weights, ReadOnlySpan<float> delta, ServerOptimizerState state)
    {
        var previous = state.FirstMoment!;
        var m = new float[weights.Length];
        var next = new float[weights.Length];
        for (var i = 0; i < next.Length; i++)
        {
            m[i] = (float)((momentum * previous[i]) + delta[i]);
            // The stored (float) momentum moves the model, so a restarted coordinator repeats the step bit for bit.
            next[i] = (float)(weights[i] + (LearningRate * m[i]));
        }
        return new ServerStep(next, new ServerOptimizerState(state.Steps + 1, m, null));
    }
}
