using System.Numerics.Tensors;
using System.Security.Cryptography;

namespace FedLearn.Training;

/// <summary>
/// Minibatch SGD on ONNX Runtime over the explicit-gradient graph from <see cref="OnnxModelBuilder.BuildTrainingGraph"/>.
/// Buffers and ORT tensors stay resident across steps; only the batch contents are copied in. Not thread-safe.
/// </summary>
/// <remarks>
/// The last weights and gradient arrays passed in stay pinned (ORT views them in place) until a different array
/// is passed or the trainer is disposed; reuse one weights array per trainer to keep rebinding free.
/// </remarks>
public sealed class LocalTrainer : IDisposable
{
    private readonly TrainingStepRunner _runner;
    private bool _disposed;

    /// <param name="spec">The model to train.</param>
    /// <param name="intraOpThreads">ORT intra-op threads; 1 by default so several trainers can share a small machine.</param>
    public LocalTrainer(ModelSpec spec, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _runner = new TrainingStepRunner(spec, OnnxModelBuilder.BuildTrainingGraph(spec), intraOpThreads, [], perRowOutput: null);
    }

    public ModelSpec Spec => _runner.Spec;

    /// <summary>
    /// Runs <see cref="TrainingOptions.Epochs"/> epochs of minibatch SGD (w ← w − lr·∇L) over <paramref name="data"/>,
    /// updating <paramref name="weights"/> in place. With FedProx's μ &gt; 0 (Li et al. 2020, "Federated Optimization in
    /// Heterogeneous Networks", eq. 2: minimise L(w) + μ/2·‖w − w⁰‖², w⁰ the weights passed in, i.e. the round's global
    /// model) each step is w ← w − lr·(∇L(w) + μ·(w − w⁰)). Each epoch visits the examples in a fresh order drawn from a
    /// cryptographic RNG (house rule: sampling randomness is never seeded); the final partial batch is used too.
    /// If cancelled, the weights hold the updates made so far.
    /// </summary>
    public TrainingResult Train(
        float[] weights,
        Dataset data,
        TrainingOptions options,
        IProgress<double>? progress = null,
        CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _runner.RequireCompatible(data);

        var batchSize = Math.Min(options.BatchSize, data.Count);
        var learningRate = (float)options.LearningRate;
        var stepsPerEpoch = (data.Count + batchSize - 1) / batchSize;
        var totalSteps = stepsPerEpoch * options.Epochs;
        var reportEvery = Math.Max(1, totalSteps / 100);
        _runner.EnsureCapacity(batchSize);
        var gradients = _runner.Gradients;

        // FedProx's anchor w⁰: the model the round started from (only kept when the proximal term is on).
        var mu = (float)options.ProximalMu;
        var anchor = mu > 0 ? (float[])weights.Clone() : null;
        var order = Enumerable.Range(0, data.Count).ToArray();
        var steps = 0;
        double epochLoss = 0;
        long epochCorrect = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            RandomNumberGenerator.Shuffle(order.AsSpan());
            epochLoss = 0;
            epochCorrect = 0;
            for (var start = 0; start < data.Count; start += batchSize)
            {
                ct.ThrowIfCancellationRequested();
                var rows = order.AsSpan(start, Math.Min(batchSize, data.Count - start));
                _runner.LoadRows(data, rows);
                var loss = _runner.Run(weights, rows.Length, gradients, null, out var correct);
                if (anchor is not null)
                {
                    // ∇(μ/2·‖w − w⁰‖²) = μ·(w − w⁰), added to the batch gradient (Li et al. 2020, eq. 2).
                    ProximalTerm.AddGradient(gradients, weights, anchor, mu);
                }
                TensorPrimitives.MultiplyAdd(gradients, -learningRate, weights, weights);

                epochLoss += (double)loss * rows.Length;
                epochCorrect += correct;
                steps++;
                if (steps % reportEvery == 0 || steps == totalSteps)
                {
                    progress?.Report((double)steps / totalSteps);
                }
            }
        }

        return new TrainingResult(
            epochLoss / data.Count, (double)epochCorrect / data.Count, (long)data.Count * options.Epochs, steps);
    }

    /// <summary>
    /// One forward and backward pass over a batch without updating anything: fills <paramref name="gradientOut"/>
    /// with the gradient of the batch's mean cross-entropy (flat layout of <see cref="ModelSpec"/>) and returns that loss.
    /// This is the seam for callers that transform gradients (e.g. per-example clipping) before their own update.
    /// </summary>
    public float ComputeGradients(
        float[] weights,
        ReadOnlySpan<float> features,
        ReadOnlySpan<float> labelsOneHot,
        int batchSize,
        float[] gradientOut,
        out int correct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _runner.LoadBatch(features, labelsOneHot, batchSize);
        return _runner.Run(weights, batchSize, gradientOut, null, out correct);
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _runner.Dispose();
        }
    }
}
