using FedLearn.Privacy;
using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Noise;
using Microsoft.ML.OnnxRuntime;

namespace FedLearn.Training;

/// <summary>
/// Example-level DP-SGD on ONNX Runtime over <see cref="OnnxModelBuilder.BuildDpTrainingGraph"/>: Poisson-sampled
/// minibatches, per-example clipping inside the graph (no per-example gradients materialised), floating-point-safe
/// discrete Gaussian noise on the clipped sum (<see cref="GridGaussianMechanism"/>), SGD step. Buffers and ORT tensors
/// stay resident across steps. Not thread-safe.
/// </summary>
/// <remarks>
/// As with <see cref="LocalTrainer"/>, the last weights and gradient arrays passed in stay pinned until a different
/// array is passed or the trainer is disposed.
/// </remarks>
public sealed class DpSgdTrainer : IDisposable
{
    private readonly float[] _clipNorm = OrtSessions.Pinned(1);
    private readonly OrtValue _clipNormValue;
    private readonly TrainingStepRunner _runner;
    private readonly List<int> _sample = [];
    private readonly CryptoRandom _random = new();
    private bool _disposed;

    /// <param name="spec">The model to train.</param>
    /// <param name="intraOpThreads">ORT intra-op threads; 1 by default so several trainers can share a small machine.</param>
    public DpSgdTrainer(ModelSpec spec, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        spec.Validate();
        _clipNormValue = OrtSessions.Tensor(_clipNorm, 0, 1, []);
        _runner = new TrainingStepRunner(spec, OnnxModelBuilder.BuildDpTrainingGraph(spec), intraOpThreads,
            [(OnnxModelBuilder.ClipNormInput, _clipNormValue)], OnnxModelBuilder.PerExampleNormsOutput);
    }

    public ModelSpec Spec => _runner.Spec;

    /// <summary>
    /// Indexes of records that stay in the dataset (so N, q and the sampling are unchanged) but contribute the zero
    /// gradient when sampled: the zero-out neighbour of each (docs/threat-model.md, D1). The one-run audit's excluded
    /// canaries (<see cref="ExampleCanaryAudit"/>); null or empty in ordinary training.
    /// </summary>
    public IReadOnlySet<int>? ZeroedRecords { get; set; }

    /// <summary>
    /// Runs DP-SGD for <see cref="DpSgdOptions.Epochs"/> × ⌈N / ExpectedBatchSize⌉ steps, updating
    /// <paramref name="weights"/> in place: w ← w − lr · (γ·(round(S/γ) + N_Z(0, σ_int²)^d)) / (qN), with
    /// γ a power of two and σ_int ≥ σ·Δ/γ, Δ = C + γ√d the sensitivity after snapping (<see cref="GridGaussianMechanism"/>),
    /// so the step is a Gaussian mechanism with noise multiplier σ and the accounting of (q, σ) is unchanged.
    /// S is the float32 sum Σ_i clip_c(g_i) the graph computes with c = C/((1 + η_norm)(1 + η_B_max)) slightly below C
    /// (<see cref="RoundingMargins.Float32GhostClipNorm"/>), so that the computed S of neighbouring batches of up to B_max
    /// examples differ by at most C in spite of rounding. c is fixed for the whole run, sized for B_max = the smallest b
    /// with P[Binomial(N, q) &gt; b] ≤ 2⁻⁶⁰ (<see cref="BatchSizeBound"/>), never for the realised batch size, which moves
    /// with the protected record's inclusion (review-10 S9); a step whose batch exceeds B_max is skipped (no gradient, no
    /// noise, weights unchanged) and still counted as a step, its probability paid in δ (<see cref="BatchSizeBound.StepsDistance"/>).
    /// Batches are Poisson samples (variable size, possibly empty; an empty batch still takes a pure-noise step, as the
    /// accounting assumes). If cancelled, the weights hold the updates made so far and the steps taken are lost to
    /// the caller, so account for the full run before starting it.
    /// </summary>
    public DpTrainingResult Train(
        float[] weights,
        Dataset data,
        DpSgdOptions options,
        IProgress<double>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var clipping = DpSgdClipping.For(options.ClipNorm, _runner.Spec.LayerSizes, data.Count, options.SamplingRate(data.Count),
            BatchSizeBound.TailProbability);
        return Train(weights, data, options, clipping, progress, ct);
    }

    internal DpTrainingResult Train(
        float[] weights,
        Dataset data,
        DpSgdOptions options,
        DpSgdClipping clipping,
        IProgress<double>? progress,
        CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clipping);
        options.Validate();
        _runner.RequireCompatible(data);

        var q = options.SamplingRate(data.Count);
        var expectedBatch = q * data.Count;
        var stepsPerEpoch = options.StepsPerEpoch(data.Count);
        var totalSteps = stepsPerEpoch * options.Epochs;
        var reportEvery = Math.Max(1, totalSteps / 100);
        var scale = (float)(-options.LearningRate / expectedBatch);
        var sampler = new PoissonSampler(q);

        // Poisson batch sizes rarely exceed the mean by more than a few standard deviations; grow if one does.
        _runner.EnsureCapacity((int)Math.Min(clipping.MaxBatchSize, expectedBatch + 6 * Math.Sqrt(expectedBatch) + 16));
        var gradients = _runner.Gradients;

        // The noise does not depend on the data, so each step's noise is drawn on another thread while ORT (one thread)
        // computes the step's clipped gradient sum: while step t is released, step t+1's noise is being drawn. The draws
        // use _random one at a time (each starts after the previous one finished), and every draw is used exactly once.
        var (ready, drawing) = (new uint[gradients.Length], new uint[gradients.Length]);
        Task DrawNoise(uint[] into) =>
            Task.Run(() => GridGaussianMechanism.DrawNoise(into, options.ClipNorm, options.NoiseMultiplier, _random), CancellationToken.None);
        var pending = DrawNoise(drawing);
        try
        {
            var (steps, emptyBatches, skippedBatches) = (0, 0, 0);
            long examplesSeen = 0, epochExamples = 0, epochCorrect = 0;
            double epochLoss = 0;
            for (var epoch = 0; epoch < options.Epochs; epoch++)
            {
                (epochLoss, epochExamples, epochCorrect) = (0, 0, 0);
                for (var step = 0; step < stepsPerEpoch; step++)
                {
                    ct.ThrowIfCancellationRequested();
                    sampler.Sample(data.Count, _sample);
                    if (clipping.ClipFor(_sample.Count) is not { } clip)
                    {
                        // B > B_max (probability ≤ p_tail): the margin does not cover this batch, so the step releases
                        // nothing; it is still a step of the run (the accounting counts it, δ pays for the skip).
                        _sample.Clear();
                        skippedBatches++;
                        steps++;
                        if (steps % reportEvery == 0 || steps == totalSteps)
                        {
                            progress?.Report((double)steps / totalSteps);
                        }

                        continue;
                    }

                    if (ZeroedRecords is { Count: > 0 } zeroed)
                    {
                        // After the B_max check, which counts them: a zeroed record is sampled like any other record.
                        _sample.RemoveAll(zeroed.Contains);
                    }

                    if (_sample.Count == 0)
                    {
                        gradients.AsSpan().Clear();
                        emptyBatches++;
                    }
                    else
                    {
                        // The same c for every batch (sized for B_max), so that float32 rounding in the graph cannot carry
                        // the computed sum's sensitivity past C and c does not depend on the realised B (review-10 S9).
                        _clipNorm[0] = clip;
                        _runner.LoadRows(data, System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_sample));
                        var loss = _runner.Run(weights, _sample.Count, gradients, null, out var correct);
                        epochLoss += (double)loss * _sample.Count;
                        epochCorrect += correct;
                        epochExamples += _sample.Count;
                        examplesSeen += _sample.Count;
                    }

                    pending.GetAwaiter().GetResult(); // `drawing` now holds this step's noise
                    (ready, drawing) = (drawing, ready);
                    pending = DrawNoise(drawing);
                    GridGaussianMechanism.ReleaseInto(gradients, ready, options.ClipNorm, options.NoiseMultiplier, scale, weights);
                    steps++;
                    if (steps % reportEvery == 0 || steps == totalSteps)
                    {
                        progress?.Report((double)steps / totalSteps);
                    }
                }
            }

            return new DpTrainingResult(
                epochExamples == 0 ? double.NaN : epochLoss / epochExamples,
                epochExamples == 0 ? double.NaN : (double)epochCorrect / epochExamples,
                examplesSeen,
                steps,
                emptyBatches,
                q,
                options.NoiseMultiplier,
                skippedBatches);
        }
        finally
        {
            // Never leave a draw writing into a buffer after returning; its fault, if any, surfaced in the loop or concerns
            // a draw no step used, so waiting must not throw.
            ((IAsyncResult)pending).AsyncWaitHandle.WaitOne();
        }
    }

    /// <summary>
    /// One DP forward/backward pass without noise or update: fills <paramref name="gradientSumOut"/> with
    /// Σ_i g_i · min(1, C/‖g_i‖) over the batch (flat layout of <see cref="ModelSpec"/>), and
    /// <paramref name="perExampleNorms"/> (length <paramref name="batchSize"/>, or empty to skip) with the unclipped
    /// ‖g_i‖, where g_i is the gradient of example i's cross-entropy. Returns the batch's mean loss.
    /// </summary>
    public float ComputeClippedGradientSum(
        float[] weights,
        ReadOnlySpan<float> features,
        ReadOnlySpan<float> labelsOneHot,
        int batchSize,
        float clipNorm,
        float[] gradientSumOut,
        Span<float> perExampleNorms,
        out int correct)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (!float.IsFinite(clipNorm) || clipNorm <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "The clipping norm must be positive and finite.");
        }

        if (!perExampleNorms.IsEmpty && perExampleNorms.Length != batchSize)
        {
            throw new ArgumentException(
                $"Expected room for {batchSize} norms, got {perExampleNorms.Length}.", nameof(perExampleNorms));
        }

        _runner.LoadBatch(features, labelsOneHot, batchSize);
        _clipNorm[0] = clipNorm;
        if (perExampleNorms.IsEmpty)
        {
            return _runner.Run(weights, batchSize, gradientSumOut, null, out correct);
        }

        var norms = OrtSessions.Pinned(batchSize);
        var loss = _runner.Run(weights, batchSize, gradientSumOut, norms, out correct);
        norms.CopyTo(perExampleNorms);
        return loss;
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _runner.Dispose();
            _clipNormValue.Dispose();
            _random.Dispose();
        }
    }
}
