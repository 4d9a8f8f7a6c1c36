using FedLearn.Privacy;

namespace FedLearn.Training;

/// <summary>
/// DP-SGD's float32 clip norm for a whole local training: c = <see cref="RoundingMargins.Float32GhostClipNorm"/> sized for
/// the fixed maximum batch B_max (<see cref="BatchSizeBound.Maximum"/>), never for the realised batch size, which is
/// correlated with the protected record's inclusion in the step (review-10 S9). A batch larger than B_max is skipped.
/// </summary>
internal sealed class DpSgdClipping
{
    private DpSgdClipping(float clipNorm, int maxBatchSize) => (ClipNorm, MaxBatchSize) = (clipNorm, maxBatchSize);

    /// <summary>c, the same for every batch the training takes.</summary>
    public float ClipNorm { get; }

    /// <summary>B_max: a realised batch above it is skipped.</summary>
    public int MaxBatchSize { get; }

    /// <param name="clipNorm">C, the sensitivity the accounting charges.</param>
    /// <param name="layerSizes">The model's widths (for η_norm).</param>
    /// <param name="records">n, the participant's record count.</param>
    /// <param name="samplingRate">q, the DP-SGD sampling rate.</param>
    /// <param name="tailProbability">p_tail per step (<see cref="BatchSizeBound.TailProbability"/> in training).</param>
    public static DpSgdClipping For(double clipNorm, IReadOnlyList<int> layerSizes, int records, double samplingRate, double tailProbability)
    {
        return ForMaxBatch(clipNorm, layerSizes, BatchSizeBound.Maximum(records, samplingRate, tailProbability));
    }

    /// <summary>c sized for a given B_max (tests force a skip with it).</summary>
    public static DpSgdClipping ForMaxBatch(double clipNorm, IReadOnlyList<int> layerSizes, int maxBatchSize) =>
        new(RoundingMargins.Float32GhostClipNorm(clipNorm, layerSizes, maxBatchSize), maxBatchSize);

    /// <summary>The clip norm for a batch of <paramref name="batchSize"/>: <see cref="ClipNorm"/>, or null to skip it.</summary>
    public float? ClipFor(int batchSize) => batchSize <= MaxBatchSize ? ClipNorm : null;
}
