namespace FedLearn.Privacy;

/// <summary>
/// How much to shrink a clip norm so that a clipped sum computed in floating point still has sensitivity C: rounding
/// can make a computed sum's neighbours differ by more than the C each contribution was clipped to (review R4).
/// All bounds are from Higham 2002, "Accuracy and Stability of Numerical Algorithms", §2.2 (the standard model
/// fl(x op y) = (x op y)(1 + δ), |δ| ≤ u, for IEEE round-to-nearest without underflow or overflow) and §3.1 (Lemma 3.1:
/// |Π(1 + δᵢ)^±1 − 1| ≤ γ_n = n·u/(1 − n·u); eq. (3.4)–(3.5): a computed sum or inner product of n terms, in any order,
/// is within γ_n·Σ|terms| of the exact one). An overflow makes the sum non-finite, which the noise mechanism refuses;
/// results in the subnormal range (below 2⁻¹²⁶ in float) are outside the model.
/// </summary>
public static class RoundingMargins
{
    /// <summary>u for IEEE binary32 with round to nearest: 2⁻²⁴.</summary>
    public static readonly double Float32UnitRoundoff = Math.ScaleB(1.0, -24);

    // The margins below are computed in double from tiny quantities; this relative slack covers that computation.
    private static readonly double ComputationSlack = Math.ScaleB(1.0, -40);

    /// <summary>γ_n = n·u/(1 − n·u) (Higham 2002, §3.1, Lemma 3.1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n negative, or n·u ≥ 1/2 (the bound is then meaningless here).</exception>
    public static double Gamma(long n, double unitRoundoff)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var nu = n * unitRoundoff;
        if (!(nu < 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "n·u must stay below 1/2 for the rounding bound to be used.");
        }

        return nu / (1 - nu);
    }

    /// <summary>
    /// The central-noise margin m = (d + 8 + 3n²)·2⁻⁵²: updates clipped in double to C·(1 − m) and summed in double over at
    /// most n contributions give computed neighbouring sums at most C apart (derivation on the coordinator's
    /// <c>ClippedUpdateSum</c>).
    /// </summary>
    public static double DoubleClippedSum(int dimension, int contributions) =>
        Math.ScaleB(dimension + 8.0 + (3.0 * contributions * (double)contributions), -52);

    /// <summary>
    /// η_sum = 2B·γ_B (u = 2⁻²⁴): for B float32 vectors yᵢ, each with exact norm ‖yᵢ‖ ≤ c, summed in float32 in any order
    /// (a Gemm's inner products over the batch, a ReduceSum), and a zero-out neighbour (one yₖ replaced by 0),
    /// ‖fl(S) − fl(S′)‖ ≤ ‖yₖ‖ + γ_B·Σᵢ‖yᵢ‖ + γ_B·Σᵢ‖y′ᵢ‖ ≤ c·(1 + 2B·γ_B) (eq. (3.5) per coordinate, then the triangle
    /// inequality for the L2 norm of the coordinate-wise error bounds). γ_B grows with B, so a margin sized for B_max covers every
    /// batch up to B_max; DP-SGD sizes it for a fixed B_max (<see cref="BatchSizeBound"/>), never for the realised B, which is
    /// correlated with the protected record's inclusion (review-10 S9).
    /// </summary>
    public static double Float32BatchSum(int batchSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batchSize);
        return 2.0 * batchSize * Gamma(batchSize, Float32UnitRoundoff);
    }

    /// <summary>
    /// η_norm for DP-SGD's ghost clipping in float32 (the graph of FedLearn.Training's DpBackwardPass): the per-example norm
    /// is computed as sqrt(Σ_l fl((‖a_l‖² + 1)·‖δ_l‖²)) with ReduceSumSquare over each layer's input width n_in and output
    /// width n_out, the clip factor as C/max(norm, C) and the clipped signal as δ·factor. With
    /// k = max_l(n_in + n_out) + L + 1 roundings on the squared norm (n_in for ‖a‖², one for the +1, n_out for ‖δ‖², one
    /// for the product, L − 1 for the sum over L layers; Lemma 3.1), the computed norm is ≥ G·√(1 − γ_k)·(1 − u) for the
    /// exact norm G of the computed per-example gradient, and the factor and the product each round up by ≤ (1 + u), so
    /// each clipped contribution has exact norm ≤ c·(1 + u)²/((1 − u)·√(1 − γ_k)) = c·(1 + η_norm).
    /// </summary>
    /// <param name="layerSizes">Widths from input to output, [input, ..hidden, classes].</param>
    public static double Float32GhostNorm(IReadOnlyList<int> layerSizes)
    {
        ArgumentNullException.ThrowIfNull(layerSizes);
        if (layerSizes.Count < 2)
        {
            throw new ArgumentException("A model has at least an input and an output width.", nameof(layerSizes));
        }

        var layers = layerSizes.Count - 1;
        long widest = 0;
        for (var l = 0; l < layers; l++)
        {
            widest = Math.Max(widest, (long)layerSizes[l] + layerSizes[l + 1]);
        }

        var u = Float32UnitRoundoff;
        var gamma = Gamma(widest + layers + 1, u);
        return ((1 + u) * (1 + u) / ((1 - u) * Math.Sqrt(1 - gamma))) - 1;
    }

    /// <summary>
    /// The float32 clip norm to feed DP-SGD's graph for a batch of <paramref name="batchSize"/> so that the computed
    /// clipped sums of neighbouring batches differ by at most <paramref name="clipNorm"/> in L2:
    /// C / ((1 + η_norm)·(1 + η_sum)), shrunk by a further 2⁻⁴⁰ for the double arithmetic here and rounded down to a
    /// float (a float above the double would undo the margin). B = 64 on a 784-256-10 model: about 1 − 5·10⁻⁴.
    /// </summary>
    /// <exception cref="ArgumentException">C not positive and finite, or a batch so large that the bound breaks down.</exception>
    public static float Float32GhostClipNorm(double clipNorm, IReadOnlyList<int> layerSizes, int batchSize)
    {
        if (!(clipNorm > 0 && double.IsFinite(clipNorm)))
        {
            throw new ArgumentException($"The clip norm must be a positive finite number, got {clipNorm}.", nameof(clipNorm));
        }

        var target = clipNorm / ((1 + Float32GhostNorm(layerSizes)) * (1 + Float32BatchSum(batchSize)) * (1 + ComputationSlack));
        var clip = (float)target;
        if (clip > target)
        {
            clip = MathF.BitDecrement(clip);
        }

        if (!(clip > 0))
        {
            throw new ArgumentException($"The clip norm {clipNorm} leaves no positive float32 clip norm after the rounding margin.", nameof(clipNorm));
        }

        return clip;
    }
}
