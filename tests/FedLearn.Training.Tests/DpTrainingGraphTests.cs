using Microsoft.ML.OnnxRuntime;

namespace FedLearn.Training.Tests;

/// <summary>
/// The DP graph against explicit per-example gradients: each example's gradient comes from the ordinary training graph
/// run on a batch of one, so the ghost-norm identity and the clipped-sum Gemm are checked by an independent route.
/// </summary>
public sealed class DpTrainingGraphTests
{
    private const int Batch = 7;

    public static TheoryData<string, string, int[]> Models => new()
    {
        { "softmax", "relu", [] },
        { "mlp", "relu", [6] },
        { "mlp", "tanh", [6] },
        { "mlp", "tanh", [5, 4] },
        { "mlp", "sigmoid", [5] },
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void PerExampleNorms_EqualNormsOfBatchOfOneGradients(string kind, string activation, int[] hidden)
    {
        var (spec, weights, features, labels) = Problem(kind, activation, hidden);
        using var dp = new DpSgdTrainer(spec);
        var norms = new float[Batch];

        dp.ComputeClippedGradientSum(weights, features, labels, Batch, 1e30f, new float[spec.ParameterCount], norms, out _);

        var perExample = PerExampleGradients(spec, weights, features, labels);
        for (var i = 0; i < Batch; i++)
        {
            var expected = Norm(perExample[i]);
            Assert.True(Math.Abs(norms[i] - expected) <= 1e-5 + 1e-4 * expected, $"{spec} example {i}: graph {norms[i]}, explicit {expected}");
        }

        Assert.True(norms.Max() > 1.5 * norms.Min(), "norms should differ between examples for the clipping test to mean anything");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void ClippedSum_EqualsSumOfIndividuallyClippedGradients(string kind, string activation, int[] hidden)
    {
        var (spec, weights, features, labels) = Problem(kind, activation, hidden);
        var perExample = PerExampleGradients(spec, weights, features, labels);
        var norms = perExample.Select(Norm).ToArray();
        var clipNorm = (float)norms.Order().ElementAt(Batch / 2); // about half the examples get clipped
        using var dp = new DpSgdTrainer(spec);
        var sum = new float[spec.ParameterCount];

        dp.ComputeClippedGradientSum(weights, features, labels, Batch, clipNorm, sum, [], out _);

        var expected = new double[spec.ParameterCount];
        for (var i = 0; i < Batch; i++)
        {
            var factor = Math.Min(1.0, clipNorm / norms[i]);
            for (var p = 0; p < expected.Length; p++)
            {
                expected[p] += factor * perExample[i][p];
            }
        }

        AssertClose(expected, sum, spec);
        Assert.True(Norm(sum) <= Batch * clipNorm * (1 + 1e-5));
        Assert.Contains(norms, n => n > clipNorm * 1.05);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void HugeClipNorm_SumEqualsBatchSizeTimesMeanGradient(string kind, string activation, int[] hidden)
    {
        var (spec, weights, features, labels) = Problem(kind, activation, hidden);
        using var dp = new DpSgdTrainer(spec);
        using var plain = new LocalTrainer(spec);
        var sum = new float[spec.ParameterCount];
        var mean = new float[spec.ParameterCount];

        var dpLoss = dp.ComputeClippedGradientSum(weights, features, labels, Batch, 1e30f, sum, [], out var dpCorrect);
        var loss = plain.ComputeGradients(weights, features, labels, Batch, mean, out var correct);

        AssertClose([.. mean.Select(m => (double)m * Batch)], sum, spec);
        Assert.Equal(loss, dpLoss);
        Assert.Equal(correct, dpCorrect);
    }

    [Fact]
    public void ClippedSum_EveryExampleClipped_HasNormAtMostBatchTimesClip()
    {
        var (spec, weights, features, labels) = Problem("mlp", "relu", [6]);
        using var dp = new DpSgdTrainer(spec);
        var sum = new float[spec.ParameterCount];
        var norms = new float[Batch];

        dp.ComputeClippedGradientSum(weights, features, labels, Batch, 1e-3f, sum, norms, out _);

        // All gradients pointing the same way would reach B·C exactly; these do not, so strictly below, but close in scale.
        Assert.All(norms, n => Assert.True(n > 1e-3f));
        Assert.InRange(Norm(sum), 1e-4, Batch * 1e-3 * (1 + 1e-5));
    }

    /// <summary>
    /// What DP-SGD feeds the graph (the clip norm with its rounding margin) keeps one clipped example's contribution, as
    /// the graph computes it in float32, within C: the example with four-times-larger inputs has a gradient far above C.
    /// </summary>
    [Theory]
    [MemberData(nameof(Models))]
    public void ClippedContribution_WithTheRoundingMargin_HasNormAtMostC(string kind, string activation, int[] hidden)
    {
        var (spec, weights, features, labels) = Problem(kind, activation, hidden);
        const double c = 1e-4;
        var clip = FedLearn.Privacy.RoundingMargins.Float32GhostClipNorm(c, spec.LayerSizes, 1);
        using var dp = new DpSgdTrainer(spec);
        var sum = new float[spec.ParameterCount];
        var norm = new float[1];

        dp.ComputeClippedGradientSum(
            weights, features.AsSpan(2 * spec.InputSize, spec.InputSize), labels.AsSpan(2 * spec.NumClasses, spec.NumClasses), 1, clip, sum, norm, out _);

        Assert.True(norm[0] > 10 * c, $"the example must need clipping (norm {norm[0]})");
        Assert.InRange(Norm(sum), c * (1 - 1e-3), c);
    }

    [Fact]
    public void BuildDpTrainingGraph_Session_ExposesClipInputAndNormsOutput()
    {
        var spec = ModelSpec.Parse("mlp", 4, 3, [5], "relu");

        using var session = new InferenceSession(OnnxModelBuilder.BuildDpTrainingGraph(spec));

        string[] outputs = ["loss", "correct", "grad_W0", "grad_b0", "grad_W1", "grad_b1", "per_example_norms"];
        Assert.Equal(outputs.Order(), session.OutputMetadata.Keys.Order());
        string[] inputs = ["features", "labels_onehot", "clip_norm", "W0", "b0", "W1", "b1"];
        Assert.Equal(inputs.Order(), session.InputMetadata.Keys.Order());
    }

    private static (ModelSpec Spec, float[] Weights, float[] Features, float[] Labels) Problem(string kind, string activation, int[] hidden)
    {
        var spec = ModelSpec.Parse(kind, 5, 3, hidden, activation);
        var weights = SyntheticData.Uniform(spec.ParameterCount, seed: 17, scale: 0.9);
        var features = SyntheticData.Uniform(Batch * spec.InputSize, seed: 18, scale: 2.0);
        for (var i = 0; i < spec.InputSize; i++)
        {
            features[2 * spec.InputSize + i] *= 4; // one large-input example, so norms spread out
        }

        int[] classes = [0, 1, 2, 2, 1, 0, 1];
        return (spec, weights, features, ReferenceModel.OneHot(classes, 3));
    }

    /// <summary>g_i from the ordinary graph on a batch of one (the mean over one example is that example's gradient).</summary>
    private static float[][] PerExampleGradients(ModelSpec spec, float[] weights, float[] features, float[] labels)
    {
        using var trainer = new LocalTrainer(spec);
        var result = new float[Batch][];
        for (var i = 0; i < Batch; i++)
        {
            result[i] = new float[spec.ParameterCount];
            trainer.ComputeGradients(
                weights,
                features.AsSpan(i * spec.InputSize, spec.InputSize),
                labels.AsSpan(i * spec.NumClasses, spec.NumClasses),
                1,
                result[i],
                out _);
        }

        return result;
    }

    private static double Norm(float[] values) => Math.Sqrt(values.Sum(v => (double)v * v));

    private static void AssertClose(double[] expected, float[] actual, ModelSpec spec)
    {
        var scale = expected.Max(Math.Abs);
        for (var p = 0; p < expected.Length; p++)
        {
            Assert.True(
                Math.Abs(actual[p] - expected[p]) <= 1e-5 * scale + 1e-4 * Math.Abs(expected[p]),
                $"{spec} parameter {p}: DP graph {actual[p]}, explicit {expected[p]}");
        }
    }
}
