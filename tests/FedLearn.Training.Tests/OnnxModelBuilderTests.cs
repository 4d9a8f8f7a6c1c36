using Microsoft.ML.OnnxRuntime;

namespace FedLearn.Training.Tests;

public sealed class OnnxModelBuilderTests
{
    [Theory]
    [InlineData("softmax", new int[0], "relu")]
    [InlineData("mlp", new[] { 16 }, "relu")]
    [InlineData("mlp", new[] { 8, 6 }, "sigmoid")]
    public void ExportModel_Logits_EqualInferenceGraphAndEvaluatorExactly(string kind, int[] hidden, string activation)
    {
        var spec = ModelSpec.Parse(kind, 12, 4, hidden, activation);
        var weights = ModelInitializer.Initialize(spec, seed: 5);
        const int rows = 37;
        var features = SyntheticData.Uniform(rows * spec.InputSize, seed: 6);

        using var exported = new InferenceSession(OnnxModelBuilder.ExportModel(spec, weights));
        using var input = OrtValue.CreateTensorValueFromMemory(features, [rows, spec.InputSize]);
        using var outputs = exported.Run(
            new RunOptions(),
            new Dictionary<string, OrtValue> { [OnnxModelBuilder.ExportInput] = input },
            [OnnxModelBuilder.LogitsOutput, OnnxModelBuilder.ProbabilitiesOutput]);
        var exportedLogits = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        var probabilities = outputs[1].GetTensorDataAsSpan<float>().ToArray();

        using var inference = new InferenceSession(OnnxModelBuilder.BuildInferenceGraph(spec));
        var inputs = new Dictionary<string, OrtValue> { [OnnxModelBuilder.FeaturesInput] = input };
        var offset = 0;
        foreach (var parameter in spec.Parameters)
        {
            inputs[parameter.Name] = OrtValue.CreateTensorValueFromMemory(
                weights[offset..(offset + parameter.Size)], parameter.TensorDimensions);
            offset += parameter.Size;
        }

        using var inferenceOutputs = inference.Run(new RunOptions(), inputs, [OnnxModelBuilder.LogitsOutput]);
        var inferenceLogits = inferenceOutputs[0].GetTensorDataAsSpan<float>().ToArray();
        foreach (var value in inputs.Values.Where(v => v != input))
        {
            value.Dispose();
        }

        using var evaluator = new ModelEvaluator(spec);
        var evaluatorLogits = evaluator.PredictLogits(weights, features, rows);

        Assert.Equal(inferenceLogits, exportedLogits);
        Assert.Equal(inferenceLogits, evaluatorLogits);
        for (var r = 0; r < rows; r++)
        {
            Assert.Equal(1.0, probabilities.AsSpan(r * 4, 4).ToArray().Sum(), 1e-5);
        }
    }

    [Fact]
    public void ExportModel_Logits_MatchReferenceForwardPass()
    {
        var spec = ModelSpec.Parse("mlp", 6, 3, [5], "tanh");
        var weights = ModelInitializer.Initialize(spec, seed: 11);
        var features = SyntheticData.Uniform(4 * 6, seed: 12);
        using var evaluator = new ModelEvaluator(spec);

        var logits = evaluator.PredictLogits(weights, features, 4);

        var expected = ReferenceModel.Logits(spec, [.. weights.Select(w => (double)w)], features, 4);
        Assert.All(logits.Zip(expected), pair => Assert.Equal(pair.Second, pair.First, 1e-5));
    }

    [Fact]
    public void ExportModel_WrongWeightCount_Throws()
    {
        var spec = ModelSpec.Parse("softmax", 4, 3, [], "relu");

        var error = Assert.Throws<ArgumentException>(() => OnnxModelBuilder.ExportModel(spec, new float[3]));

        Assert.Contains("Expected 15 weights", error.Message);
    }

    [Fact]
    public void ExportModel_Metadata_NamesTheWeightsTheirHashAndTheProvenance()
    {
        var spec = ModelSpec.Parse("mlp", 4, 3, [5], "sigmoid");
        var weights = ModelInitializer.Initialize(spec, seed: 3);

        using var session = new InferenceSession(OnnxModelBuilder.ExportModel(spec, weights,
            new Dictionary<string, string> { ["fedlearn.session_id"] = "s-1", ["fedlearn.round"] = "7" }));

        var metadata = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal("W0,b0,W1,b1", metadata["fedlearn.weights"]);
        Assert.Equal(WeightHash.Sha256Hex(weights), metadata["fedlearn.weights_sha256"]);
        Assert.Equal("s-1", metadata["fedlearn.session_id"]);
        Assert.Equal("7", metadata["fedlearn.round"]);
    }

    [Theory]
    [InlineData("session_id")]
    [InlineData("fedlearn.weights_sha256")]
    public void ExportModel_ProvenanceOutsideItsNamespaceOrOverridingTheHash_Throws(string key)
    {
        var spec = ModelSpec.Parse("softmax", 4, 3, [], "relu");

        var error = Assert.Throws<ArgumentException>(() =>
            OnnxModelBuilder.ExportModel(spec, new float[15], new Dictionary<string, string> { [key] = "x" }));

        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BuildTrainingGraph_Session_ExposesGradientPerParameter()
    {
        var spec = ModelSpec.Parse("mlp", 4, 3, [5, 2], "relu");

        using var session = new InferenceSession(OnnxModelBuilder.BuildTrainingGraph(spec));

        string[] expected = ["loss", "correct", "grad_W0", "grad_b0", "grad_W1", "grad_b1", "grad_W2", "grad_b2"];
        Assert.Equal(expected.Order(), session.OutputMetadata.Keys.Order());
        string[] inputs = ["features", "labels_onehot", "W0", "b0", "W1", "b1", "W2", "b2"];
        Assert.Equal(inputs.Order(), session.InputMetadata.Keys.Order());
    }
}
