using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;

namespace FedLearn.Coordinator.Tests.Rounds;

public sealed class UpdateValidatorTests
{
    private const int ParameterCount = 4;

    private static ModelUpdate Update(float[] delta, long numExamples = 10) => new("p1", 1, numExamples, delta);

    [Fact]
    public void Problem_WellFormedUpdate_IsNull()
    {
        Assert.Null(UpdateValidator.Problem(Update([0f, -1f, float.MaxValue, float.MinValue]), ParameterCount));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(5)]
    public void Problem_WrongLength_NamesBothLengths(int length)
    {
        var problem = UpdateValidator.Problem(Update(new float[length]), ParameterCount);

        Assert.NotNull(problem);
        Assert.Contains($"{length} values", problem, StringComparison.Ordinal);
        Assert.Contains($"{ParameterCount} parameters", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_NullDelta_IsRejectedRatherThanThrown()
    {
        // A deserialised message can carry null despite the non-nullable declaration.
        var problem = UpdateValidator.Problem(Update(null!), ParameterCount);

        Assert.NotNull(problem);
        Assert.Contains("0 values", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    [InlineData(long.MinValue)]
    public void Problem_NonPositiveExamples_IsRejected(long numExamples)
    {
        var problem = UpdateValidator.Problem(Update(new float[ParameterCount], numExamples), ParameterCount);

        Assert.Equal("num_examples must be positive", problem);
    }

    [Theory]
    [InlineData(float.NaN, 0)]
    [InlineData(float.PositiveInfinity, 2)]
    [InlineData(float.NegativeInfinity, 3)]
    public void Problem_NonFiniteValue_NamesItsIndex(float value, int index)
    {
        var delta = new float[ParameterCount];
        delta[index] = value;

        var problem = UpdateValidator.Problem(Update(delta), ParameterCount);

        Assert.NotNull(problem);
        Assert.Contains("non-finite", problem, StringComparison.Ordinal);
        Assert.EndsWith($"index {index}", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(1L << 62)]
    [InlineData(long.MaxValue)]
    [InlineData(RobustnessDefinition.DefaultMaxExamplesPerParticipant + 1)]
    public void Problem_ExamplesAboveSessionMaximum_IsRejectedNamingTheLimit(long numExamples)
    {
        var problem = UpdateValidator.Problem(Update(new float[ParameterCount], numExamples), ParameterCount, RobustnessDefinition.Default);

        Assert.NotNull(problem);
        Assert.Contains("max_examples_per_participant", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_ExamplesAtSessionMaximum_IsAccepted()
    {
        var limits = RobustnessDefinition.Default;

        Assert.Null(UpdateValidator.Problem(Update(new float[ParameterCount], limits.MaxExamplesPerParticipant), ParameterCount, limits));
    }

    [Fact]
    public void Problem_NormAboveBoundUnderReject_IsRejected()
    {
        var limits = RobustnessDefinition.Default with { MaxUpdateNorm = 5 };

        Assert.Null(UpdateValidator.Problem(Update([3f, 4f, 0f, 0f]), ParameterCount, limits));
        var problem = UpdateValidator.Problem(Update([-1e30f, 0f, 0f, 0f]), ParameterCount, limits);

        Assert.NotNull(problem);
        Assert.Contains("max_update_norm", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problem_NormAboveBoundUnderClip_IsAcceptedForClipping()
    {
        var limits = RobustnessDefinition.Default with { MaxUpdateNorm = 5, UpdateNormPolicy = RobustnessDefinition.Clip };

        Assert.Null(UpdateValidator.Problem(Update([-1e30f, 0f, 0f, 0f]), ParameterCount, limits));
    }

    [Theory]
    [InlineData(double.NaN, 0.5, 10L, "train_loss")]
    [InlineData(-1.0, 0.5, 10L, "train_loss")]
    [InlineData(1e300, 0.5, 10L, "train_loss")]
    [InlineData(1.0, 1.5, 10L, "train_accuracy")]
    [InlineData(1.0, 0.5, 0L, "num_examples")]
    [InlineData(1.0, 0.5, long.MaxValue, "num_examples")]
    public void MetricsProblem_OutOfRange_NamesTheField(double loss, double accuracy, long examples, string field)
    {
        var problem = UpdateValidator.MetricsProblem(new LocalMetricsReport("p1", loss, accuracy, examples), RobustnessDefinition.Default);

        Assert.NotNull(problem);
        Assert.StartsWith(field, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsProblem_InRange_IsNull()
    {
        Assert.Null(UpdateValidator.MetricsProblem(new LocalMetricsReport("p1", 0.3, 0.9, 1000), RobustnessDefinition.Default));
    }
}
