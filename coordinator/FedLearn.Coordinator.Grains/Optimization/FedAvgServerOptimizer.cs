using FedLearn.Coordinator.Grains.Rounds;

namespace FedLearn.Coordinator.Grains.Optimization;

/// <summary>
/// FedAvg with a server learning rate: x ← x + η·Δ (Reddi et al. 2021, Algorithm 1 with SGD as ServerOpt; η = 1 is
/// McMahan et al. 2017's FedAvg). No state, nothing checkpointed beyond the model: every session created before server
/// optimizers existed runs exactly this.
/// </summary>
internal sealed class FedAvgServerOptimizer(double learningRate) : ServerOptimizer(learningRate)
{
    public override bool IsStateful => false;

    protected override bool HasFirstMoment => false;

    protected override bool HasSecondMoment => false;

    public override ServerOptimizerState Initial(int parameterCount) => new(0, null, null);

    protected override ServerStep Apply(ReadOnlySpan<float> weights, ReadOnlySpan<float> delta, ServerOptimizerState state) =>
        new(WeightedUpdateSum.ApplyServerStep(weights, delta, LearningRate), state with { Steps = state.Steps + 1 });
}
