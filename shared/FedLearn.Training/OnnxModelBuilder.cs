using FedLearn.Training.Onnx;
using static FedLearn.Training.Onnx.GraphBuilder;

namespace FedLearn.Training;

/// <summary>
/// Builds the ONNX graphs FedLearn runs on ONNX Runtime. The backward pass is written out as ordinary ONNX ops,
/// so plain inference sessions can train and each parameter's gradient is a graph output that callers
/// (e.g. differential privacy) can inspect and clip before the update.
/// </summary>
public static class OnnxModelBuilder
{
    public const string FeaturesInput = "features";
    public const string LabelsInput = "labels_onehot";
    public const string LossOutput = "loss";
    public const string LogitsOutput = "logits";
    public const string ExportInput = "input";
    public const string ProbabilitiesOutput = "probabilities";

    /// <summary>Number of correct argmax predictions in the batch, as a float scalar (ties go to the lowest class).</summary>
    public const string CorrectOutput = "correct";

    /// <summary>DP training graph input: the L2 clipping norm C as a float scalar (C &gt; 0).</summary>
    public const string ClipNormInput = "clip_norm";

    /// <summary>DP training graph output: each example's unclipped gradient L2 norm, [B].</summary>
    public const string PerExampleNormsOutput = "per_example_norms";

    public static string GradientName(string parameterName) => $"grad_{parameterName}";

    /// <summary>
    /// Inputs: features [B, in], labels_onehot [B, classes], then each parameter by name.
    /// Outputs: loss (mean cross-entropy over the batch), correct, then grad_&lt;name&gt; per parameter (gradient of the mean loss).
    /// </summary>
    public static byte[] BuildTrainingGraph(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var g = new GraphBuilder("fedlearn_training");
        g.Input(FeaturesInput, [null, spec.InputSize]);
        g.Input(LabelsInput, [null, spec.NumClasses]);
        AddParameterInputs(g, spec);

        var forward = ForwardPass.Build(g, spec, FeaturesInput);
        var head = AddLossHead(g, forward.Logits);

        // d(mean CE)/d(logits) = (softmax(z) - y) / B: the softmax/cross-entropy pairing collapses the Jacobian
        // (Bishop 2006, Pattern Recognition and Machine Learning, eq. 4.109; Goodfellow et al. 2016, Deep Learning, §6.2.2.3).
        var delta = g.Node("Div", [head.ExampleDelta, BatchSizeAsFloat(g)]);

        // Back-propagate layer by layer: for Z = A W + b, dW = Aᵀ dZ, db = Σ_rows dZ, dA = dZ Wᵀ.
        for (var layer = spec.LayerCount - 1; layer >= 0; layer--)
        {
            g.Node("Gemm", [forward.LayerInputs[layer], delta], GradientName($"W{layer}"), Int("transA", 1));
            g.Node("ReduceSum", [delta, head.AxisZero], GradientName($"b{layer}"), Int("keepdims", 0));
            if (layer > 0)
            {
                var upstream = g.Node("Gemm", [delta, $"W{layer}"], attributes: Int("transB", 1));
                var derivative = ForwardPass.ActivationDerivative(g, spec.Activation, forward.LayerInputs[layer]);
                delta = g.Node("Mul", [upstream, derivative]);
            }
        }

        AddTrainingOutputs(g, spec);
        return g.ToModelBytes($"Training step graph for {spec}");
    }

    /// <summary>
    /// The DP-SGD step (Abadi et al. 2016, "Deep Learning with Differential Privacy", Algorithm 1, minus the noise).
    /// Inputs: as <see cref="BuildTrainingGraph"/> plus clip_norm (float scalar C &gt; 0).
    /// Outputs: loss (mean cross-entropy), correct, grad_&lt;name&gt; per parameter holding the SUM over the batch of
    /// per-example gradients each clipped to L2 norm at most C (g_i · min(1, C/‖g_i‖), norms over all parameters
    /// jointly), and per_example_norms [B], the unclipped norms ‖g_i‖. Per-example gradients are never materialised;
    /// see <see cref="DpBackwardPass"/>.
    /// </summary>
    public static byte[] BuildDpTrainingGraph(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var g = new GraphBuilder("fedlearn_dp_training");
        g.Input(FeaturesInput, [null, spec.InputSize]);
        g.Input(LabelsInput, [null, spec.NumClasses]);
        g.Input(ClipNormInput, []);
        AddParameterInputs(g, spec);

        var forward = ForwardPass.Build(g, spec, FeaturesInput);
        var head = AddLossHead(g, forward.Logits);
        DpBackwardPass.Build(g, spec, forward, head, ClipNormInput, PerExampleNormsOutput);

        AddTrainingOutputs(g, spec);
        g.Output(PerExampleNormsOutput, [null]);
        return g.ToModelBytes($"DP-SGD clipped-sum training step graph for {spec}");
    }

    /// <summary>Inputs: features [N, in] and each parameter by name. Output: logits [N, classes].</summary>
    public static byte[] BuildInferenceGraph(ModelSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        var g = new GraphBuilder("fedlearn_inference");
        g.Input(FeaturesInput, [null, spec.InputSize]);
        AddParameterInputs(g, spec);
        ForwardPass.Build(g, spec, FeaturesInput, LogitsOutput);
        g.Output(LogitsOutput, [null, spec.NumClasses]);
        return g.ToModelBytes($"Inference graph for {spec}");
    }

    /// <summary>
    /// A self-contained model for use outside FedLearn: parameters baked in as initializers,
    /// input "input" [N, in] and outputs "logits" and "probabilities" (softmax), N symbolic.
    /// </summary>
    /// <param name="provenance">Extra <c>fedlearn.*</c> metadata (session, round, ledger entry) written into the model.</param>
    public static byte[] ExportModel(ModelSpec spec, ReadOnlySpan<float> weights, IReadOnlyDictionary<string, string>? provenance = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        if (weights.Length != spec.ParameterCount)
        {
            throw new ArgumentException(
                $"Expected {spec.ParameterCount} weights for {spec}, got {weights.Length}.", nameof(weights));
        }

        var g = new GraphBuilder("fedlearn_model");
        g.Input(ExportInput, [null, spec.InputSize], symbolicDim: "N");
        var offset = 0;
        foreach (var parameter in spec.Parameters)
        {
            g.FloatInitializer(parameter.Name, weights.Slice(offset, parameter.Size), parameter.TensorDimensions);
            offset += parameter.Size;
        }

        var logits = ForwardPass.Build(g, spec, ExportInput, LogitsOutput).Logits;
        g.Node("Softmax", [logits], ProbabilitiesOutput, Int("axis", 1));
        g.Output(LogitsOutput, [null, spec.NumClasses], symbolicDim: "N");
        g.Output(ProbabilitiesOutput, [null, spec.NumClasses], symbolicDim: "N");
        // The weights' hash is the checkpoint's and the ledger entry's model_sha256: SHA-256 over the listed initializers'
        // float32 little-endian bytes, in this order. With it, anyone holding the file can find the model's ledger entry.
        var metadata = new Dictionary<string, string>
        {
            ["fedlearn.model_spec"] = spec.ToString(),
            ["fedlearn.weights"] = string.Join(",", spec.Parameters.Select(p => p.Name)),
            ["fedlearn.weights_sha256"] = WeightHash.Sha256Hex(weights),
        };
        foreach (var (key, value) in provenance ?? new Dictionary<string, string>())
        {
            if (!key.StartsWith("fedlearn.", StringComparison.Ordinal) || !metadata.TryAdd(key, value))
            {
                throw new ArgumentException($"Provenance key '{key}' must start with 'fedlearn.' and not repeat a built-in key.", nameof(provenance));
            }
        }
        return g.ToModelBytes($"FedLearn model {spec}", metadata);
    }

    /// <summary>
    /// Mean cross-entropy ("loss"), argmax hits ("correct"), and the per-example loss signal at the logits,
    /// softmax(z) − y (the gradient of each example's own loss, not yet divided by the batch size).
    /// </summary>
    internal static LossHead AddLossHead(GraphBuilder g, string logits)
    {
        // Mean cross-entropy: -1/B * sum_i sum_k y_ik log softmax(z_i)_k.
        var logProbabilities = g.Node("LogSoftmax", [logits], attributes: Int("axis", 1));
        var axisOne = g.Int64Initializer("axis_1", [1], [1]);
        var axisZero = g.Int64Initializer("axis_0", [0], [1]);
        var picked = g.Node("Mul", [LabelsInput, logProbabilities]);
        var rowLogLikelihood = g.Node("ReduceSum", [picked, axisOne], attributes: Int("keepdims", 0));
        var meanLogLikelihood = g.Node("ReduceMean", [rowLogLikelihood], attributes: Int("keepdims", 0));
        g.Node("Neg", [meanLogLikelihood], LossOutput);

        var predicted = g.Node("ArgMax", [logits], attributes: [Int("axis", 1), Int("keepdims", 0)]);
        var truth = g.Node("ArgMax", [LabelsInput], attributes: [Int("axis", 1), Int("keepdims", 0)]);
        var hits = g.Node("Cast", [g.Node("Equal", [predicted, truth])], attributes: Int("to", 1));
        g.Node("ReduceSum", [hits], CorrectOutput, Int("keepdims", 0));

        var probabilities = g.Node("Exp", [logProbabilities]);
        return new LossHead(g.Node("Sub", [probabilities, LabelsInput]), axisZero, axisOne);
    }

    internal static void AddTrainingOutputs(GraphBuilder g, ModelSpec spec)
    {
        g.Output(LossOutput, []);
        g.Output(CorrectOutput, []);
        foreach (var parameter in spec.Parameters)
        {
            g.Output(GradientName(parameter.Name), ToDims(parameter.TensorDimensions));
        }
    }

    internal static void AddParameterInputs(GraphBuilder g, ModelSpec spec)
    {
        foreach (var parameter in spec.Parameters)
        {
            g.Input(parameter.Name, ToDims(parameter.TensorDimensions));
        }
    }

    private static string BatchSizeAsFloat(GraphBuilder g) => g.Node("Cast",
        [g.Node("Shape", [FeaturesInput], attributes: [Int("start", 0), Int("end", 1)])], attributes: Int("to", 1));

    internal static long?[] ToDims(long[] dims) => [.. dims.Select(d => (long?)d)];
}
