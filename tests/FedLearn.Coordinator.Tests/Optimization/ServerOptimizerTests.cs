using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Optimization;
using FedLearn.Coordinator.Grains.Rounds;

namespace FedLearn.Coordinator.Tests.Optimization;

/// <summary>
/// Each update rule against values worked out by hand from its formula (Reddi et al. 2021, "Adaptive Federated
/// Optimization", Algorithm 2; Hsu et al. 2019 §3 for FedAvgM), two rounds so the carried state matters. Weights
/// w = (1, −2, 0.25), round 1 Δ = (0.5, −0.2, 0), round 2 Δ = (0.01, −0.4, 0.03); η = 0.1, β₁ = 0.9, β₂ = 0.99, τ = 10⁻³
/// (so m starts at 0 and v at τ² = 10⁻⁶). The state is float32, so values agree to about 1e-7 relative.
/// </summary>
public sealed class ServerOptimizerTests
{
    private const double Tolerance = 2e-6;
    private static readonly float[] Weights = [1f, -2f, 0.25f];
    private static readonly float[] Delta1 = [0.5f, -0.2f, 0f];
    private static readonly float[] Delta2 = [0.01f, -0.4f, 0.03f];

    private static ServerOptimizer Make(string kind, double learningRate = 0.1) =>
        ServerOptimizer.For(new ServerOptimizerDefinition(kind), learningRate);

    private static (ServerStep First, ServerStep Second) TwoRounds(ServerOptimizer optimizer)
    {
        var first = optimizer.Step(Weights, Delta1, optimizer.Initial(Weights.Length));
        var second = optimizer.Step(first.Weights, Delta2, first.State);
        return (first, second);
    }

    private static void AssertClose(double[] expected, float[]? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"[{i}]: expected {expected[i]:G9}, got {actual[i]:G9}");
        }
    }

    [Fact]
    public void FedAdam_FollowsAlgorithm2()
    {
        var (first, second) = TwoRounds(Make(ServerOptimizerDefinition.FedAdam));

        // Round 1, coordinate 0: m = 0.1·0.5 = 0.05; v = 0.99·10⁻⁶ + 0.01·0.25 = 0.00250099; √v = 0.0500099;
        // x = 1 + 0.1·0.05 / (0.0500099 + 0.001) = 1.09802019.
        AssertClose([0.05, -0.02, 0], first.State.FirstMoment);
        AssertClose([0.00250099, 0.00040099, 9.9e-7], first.State.SecondMoment);
        AssertClose([1.09802019, -2.09512605, 0.25], first.Weights);
        // Round 2, coordinate 0: m = 0.9·0.05 + 0.1·0.01 = 0.046; v = 0.99·0.00250099 + 0.01·10⁻⁴ = 0.00247698;
        // x = 1.09802019 + 0.1·0.046 / (0.0497693 + 0.001) = 1.18862618.
        AssertClose([0.046, -0.058, 0.003], second.State.FirstMoment);
        AssertClose([0.0024769801, 0.0019969801, 9.9801e-6], second.State.SecondMoment);
        AssertClose([1.18862618, -2.2220752, 0.322130476], second.Weights);
        Assert.Equal(2, second.State.Steps);
    }

    [Fact]
    public void FedYogi_MovesVTowardsDeltaSquaredBySignOfTheirDifference()
    {
        var (first, second) = TwoRounds(Make(ServerOptimizerDefinition.FedYogi));

        // Round 1: v = 10⁻⁶ < Δ² everywhere Δ ≠ 0, so v = 10⁻⁶ + 0.01·Δ² (coordinate 0: 0.002501); Δ = 0 leaves v at 10⁻⁶.
        AssertClose([0.002501, 0.000401, 1e-6], first.State.SecondMoment);
        AssertClose([1.09802, -2.09512492, 0.25], first.Weights);
        // Round 2, coordinate 0: v = 0.002501 > Δ² = 10⁻⁴, so v shrinks: 0.002501 − 0.01·10⁻⁴ = 0.0025 (FedAdam's
        // 0.00247698 shrinks faster); coordinate 1: v = 0.000401 < 0.16, so it grows: 0.000401 + 0.0016 = 0.002001.
        AssertClose([0.0025, 0.002001, 1e-5], second.State.SecondMoment);
        AssertClose([0.046, -0.058, 0.003], second.State.FirstMoment);
        // x₀ = 1.09802 + 0.1·0.046 / (0.05 + 0.001) = 1.18821608.
        AssertClose([1.18821608, -2.22194928, 0.322075922], second.Weights);
    }

    [Fact]
    public void FedAdagrad_SumsSquaresWithoutDecay()
    {
        var (first, second) = TwoRounds(Make(ServerOptimizerDefinition.FedAdagrad));

        // Round 1, coordinate 0: v = 10⁻⁶ + 0.25 = 0.250001; x = 1 + 0.1·0.05 / (0.5000010 + 0.001) = 1.00998002.
        AssertClose([0.250001, 0.040001, 1e-6], first.State.SecondMoment);
        AssertClose([1.00998002, -2.00995012, 0.25], first.Weights);
        // Round 2: v = 0.250001 + 10⁻⁴ = 0.250101 (coordinate 0), 0.040001 + 0.16 = 0.200001, 10⁻⁶ + 0.0009 = 0.000901.
        AssertClose([0.250101, 0.200001, 0.000901], second.State.SecondMoment);
        AssertClose([1.01915981, -2.02289035, 0.259672221], second.Weights);
    }

    [Fact]
    public void FedAvgM_AccumulatesMomentum()
    {
        var (first, second) = TwoRounds(Make(ServerOptimizerDefinition.FedAvgM, learningRate: 0.5));

        // m = Δ₁ = (0.5, −0.2, 0); x = w + 0.5·m = (1.25, −2.1, 0.25).
        AssertClose([0.5, -0.2, 0], first.State.FirstMoment);
        Assert.Null(first.State.SecondMoment);
        AssertClose([1.25, -2.1, 0.25], first.Weights);
        // m = 0.9·m + Δ₂ = (0.46, −0.58, 0.03); x = (1.25 + 0.23, −2.1 − 0.29, 0.25 + 0.015).
        AssertClose([0.46, -0.58, 0.03], second.State.FirstMoment);
        AssertClose([1.48, -2.39, 0.265], second.Weights);
    }

    [Fact]
    public void FedAvg_IsTheServerStepOfBefore_AndStateless()
    {
        var optimizer = ServerOptimizer.For(null, 0.7);

        var step = optimizer.Step(Weights, Delta1, optimizer.Initial(Weights.Length));

        Assert.False(optimizer.IsStateful);
        Assert.Equal(WeightedUpdateSum.ApplyServerStep(Weights, Delta1, 0.7), step.Weights);
        Assert.Null(step.State.FirstMoment);
        Assert.Null(step.State.SecondMoment);
    }

    [Fact]
    public void Step_LeavesItsInputsUnchanged()
    {
        // The session keeps its state until the round commits; a step that fails to commit must not have moved anything.
        var optimizer = Make(ServerOptimizerDefinition.FedAdam);
        var state = optimizer.Initial(Weights.Length);
        var weights = (float[])Weights.Clone();

        optimizer.Step(weights, Delta1, state);

        Assert.Equal(Weights, weights);
        Assert.All(state.FirstMoment!, m => Assert.Equal(0f, m));
        Assert.All(state.SecondMoment!, v => Assert.Equal(1e-6f, v));
        Assert.Equal(0, state.Steps);
    }

    [Fact]
    public void Step_ThatWouldProduceANonFiniteWeight_Throws()
    {
        var optimizer = Make(ServerOptimizerDefinition.FedAvgM);

        Assert.Throws<InvalidOperationException>(() =>
            optimizer.Step([float.MaxValue], [float.MaxValue], optimizer.Initial(1)));
    }

    [Theory]
    [InlineData(ServerOptimizerDefinition.FedAdam, 2, true, true)]
    [InlineData(ServerOptimizerDefinition.FedAdam, 3, false, true)]
    [InlineData(ServerOptimizerDefinition.FedAvgM, 3, true, true)]
    [InlineData(ServerOptimizerDefinition.FedAvgM, 3, false, false)]
    public void Validate_StateThatDoesNotFit_Throws(string kind, int length, bool withFirst, bool withSecond)
    {
        var optimizer = Make(kind);
        var state = new ServerOptimizerState(1, withFirst ? new float[length] : null, withSecond ? new float[length] : null);

        Assert.Throws<InvalidDataException>(() => optimizer.Validate(state, 3));
    }

    [Fact]
    public void Validate_NegativeOrNonFiniteSecondMoment_Throws()
    {
        var optimizer = Make(ServerOptimizerDefinition.FedYogi);

        Assert.Throws<InvalidDataException>(() => optimizer.Validate(new ServerOptimizerState(1, [0f], [-1f]), 1));
        Assert.Throws<InvalidDataException>(() => optimizer.Validate(new ServerOptimizerState(1, [float.NaN], [1f]), 1));
    }

    [Fact]
    public void WithDefaults_FillsOnlyWhatTheKindUses()
    {
        Assert.Equal(new ServerOptimizerDefinition("fedadam", 0.9, 0.99, 1e-3), new ServerOptimizerDefinition(" FedAdam ").WithDefaults());
        Assert.Equal(new ServerOptimizerDefinition("fedadagrad", 0.9, null, 1e-3), new ServerOptimizerDefinition("fedadagrad").WithDefaults());
        Assert.Equal(new ServerOptimizerDefinition("fedavgm", 0.5), new ServerOptimizerDefinition("fedavgm", 0.5).WithDefaults());
        Assert.Equal(ServerOptimizerDefinition.Default, new ServerOptimizerDefinition("").WithDefaults());
    }
}
