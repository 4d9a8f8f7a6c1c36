namespace FedLearn.Coordinator.Grains.Optimization;

/// <summary>
/// The coordinator's step from a round's released aggregate Δ (the example-weighted mean of the participants' updates, or
/// in a private session the noisy mean the aggregator released) to the next global model. This is the ServerOpt of Reddi
/// et al. 2021, "Adaptive Federated Optimization", Algorithm 1, with −Δ as the pseudo-gradient. It sees only the released
/// Δ, so in a private session it is post-processing and costs no privacy (Dwork &amp; Roth 2014, Prop. 2.1).
/// Each step is a pure function of (weights, Δ, state): the session keeps the returned state only once the round that
/// produced it is committed, together with it, in PostgreSQL.
/// </summary>
public abstract class ServerOptimizer(double learningRate)
{
    /// <summary>η, the session's server_learning_rate.</summary>
    protected double LearningRate { get; } = learningRate;

    /// <summary>True when the state must be checkpointed with the model (every kind but FedAvg).</summary>
    public abstract bool IsStateful { get; }

    protected abstract bool HasFirstMoment { get; }

    protected abstract bool HasSecondMoment { get; }

    /// <summary>The session's optimizer; a definition of null (a session from before optimizers) is FedAvg.</summary>
    public static ServerOptimizer For(ServerOptimizerDefinition? definition, double learningRate)
    {
        var d = (definition ?? ServerOptimizerDefinition.Default).WithDefaults();
        return d.Kind switch
        {
            ServerOptimizerDefinition.FedAvg => new FedAvgServerOptimizer(learningRate),
            ServerOptimizerDefinition.FedAvgM => new FedAvgMServerOptimizer(learningRate, d.Beta1!.Value),
            ServerOptimizerDefinition.FedAdagrad => new AdaptiveServerOptimizer(AdaptiveRule.Adagrad, learningRate, d.Beta1!.Value, 0, d.Tau!.Value),
            ServerOptimizerDefinition.FedYogi => new AdaptiveServerOptimizer(AdaptiveRule.Yogi, learningRate, d.Beta1!.Value, d.Beta2!.Value, d.Tau!.Value),
            ServerOptimizerDefinition.FedAdam => new AdaptiveServerOptimizer(AdaptiveRule.Adam, learningRate, d.Beta1!.Value, d.Beta2!.Value, d.Tau!.Value),
            _ => throw new ArgumentException($"Unknown server optimizer '{d.Kind}'.", nameof(definition)),
        };
    }

    /// <summary>The state before the first round.</summary>
    public abstract ServerOptimizerState Initial(int parameterCount);

    /// <summary>Checks a stored state belongs to this optimizer and a model of <paramref name="parameterCount"/>.</summary>
    /// <exception cref="InvalidDataException">It does not.</exception>
    public void Validate(ServerOptimizerState state, int parameterCount)
    {
        ArgumentNullException.ThrowIfNull(state);
        state.Validate(parameterCount, HasFirstMoment, HasSecondMoment);
    }

    /// <summary>The next weights and state after applying <paramref name="delta"/>; neither input is modified.</summary>
    /// <exception cref="InvalidOperationException">The step produced a non-finite weight (it is refused, never committed).</exception>
    public ServerStep Step(ReadOnlySpan<float> weights, ReadOnlySpan<float> delta, ServerOptimizerState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (weights.Length != delta.Length)
        {
            throw new ArgumentException("Weights and update differ in length.", nameof(delta));
        }
        Validate(state, weights.Length);
        var step = Apply(weights, delta, state);
        foreach (var w in step.Weights)
        {
            if (!float.IsFinite(w))
            {
                throw new InvalidOperationException("The server optimizer's step produced a non-finite weight; the round is not committed.");
            }
        }
        return step;
    }

    protected abstract ServerStep Apply(ReadOnlySpan<float> weights, ReadOnlySpan<float> delta, ServerOptimizerState state);
}

/// <summary>The model and optimizer state after one server step.</summary>
public sealed record ServerStep(float[] Weights, ServerOptimizerState State);
