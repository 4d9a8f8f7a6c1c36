using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Privacy.Noise;

/// <summary>
/// The Gaussian mechanism on a sum of clipped vectors, safe in floating point: the sum is snapped to a power-of-two grid
/// γ·Z^d and discrete Gaussian noise γ·N_Z(0, σ_int²) is added, so the release is γ times an integer vector, a
/// deterministic function of (snapped sum + integer noise). Used by the coordinator's central noise and by DP-SGD.
/// </summary>
/// <remarks>
/// Why: continuous noise computed in floating point (Box–Muller on doubles, rounded to float) is not DP — the set of
/// floats it can produce depends on the input and reveals it (Mironov 2012, "On Significance of the Least Significant
/// Bits for Differential Privacy", §3–4, which proposes snapping for the Laplace mechanism). Here the integer noise is
/// drawn from uniform bits with a sampler whose distance from N_Z(0, σ_int²) is proven (<see cref="ScaledDiscreteGaussian"/>,
/// exact rejection sampling on a small cumulative table; Canonne, Kamath &amp; Steinke 2020, "The Discrete Gaussian
/// for Differential Privacy": the discrete Gaussian has the continuous one's
/// concentrated-DP bound for integer-valued queries, Thm 4), and no floating-point operation touches the noise before
/// it is an integer.
/// <para>
/// Sensitivity: snapping moves each coordinate by at most γ/2 (round to nearest), so for neighbouring sums S, S' with
/// ‖S − S'‖₂ ≤ C, ‖snap(S) − snap(S')‖₂ ≤ ‖snap(S) − S‖₂ + ‖S − S'‖₂ + ‖S' − snap(S')‖₂ ≤ C + γ√d (triangle
/// inequality; γ√d/2 for each of the two sums — the sum is snapped, not each contribution, so both sides move).
/// The mechanism is charged with sensitivity Δ = C + γ√d and adds noise of standard deviation ≥ σ·Δ, so its noise
/// multiplier is still σ: callers account (q, σ) unchanged and report Δ as the sensitivity.
/// </para>
/// <para>
/// The grid: γ = the largest power of two with γ√d ≤ C/<see cref="InflationDenominator"/>, so Δ ≤ C·(1 + 1/64)
/// (coarser only for huge σ, see <see cref="Grid"/>). It depends only on the public C, σ and d. γ a power of two
/// makes S/γ exact in binary floating point.
/// </para>
/// </remarks>
public static class GridGaussianMechanism
{
    /// <summary>Δ/C − 1 ≤ 1/64: about 1.6% more noise at most, for a grid coarse enough to keep σ_int moderate.</summary>
    public const int InflationDenominator = 64;

    // σ_int ≤ 2^24: noise values stay below 2^31 by over a hundred standard deviations.
    private const double MaxGridStd = 1 << 24;

    // |sum/γ| beyond this cannot come from clipped vectors (it would need ~2^40 of them) and would not fit a long with noise.
    private const double MaxGridValue = 1L << 60;

    /// <summary>
    /// γ = 2^⌊log2(C / (64·√d))⌋, coarsened by factors of two while σ_int = σ·Δ/γ would exceed 2^24 (only for σ in
    /// the hundreds and more, where the extra inflation is noise-dominated anyway): the integer noise must stay far
    /// inside the signed 32-bit range it is drawn in.
    /// </summary>
    /// <exception cref="ArgumentException">C or σ degenerate, or σ·√d ≥ 2^24 (no grid can keep σ_int below 2^24).</exception>
    public static double Grid(double clipNorm, double noiseMultiplier, int dimension)
    {
        RequirePositiveFinite(clipNorm, nameof(clipNorm));
        RequirePositiveFinite(noiseMultiplier, nameof(noiseMultiplier));
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        var root = Math.Sqrt(dimension);
        if (!(noiseMultiplier * root < MaxGridStd / 2))
        {
            throw new ArgumentException(
                $"σ = {noiseMultiplier} over {dimension} coordinates needs more grid noise than the sampler's 2^24 standard deviations.",
                nameof(noiseMultiplier));
        }

        var gamma = Math.ScaleB(1.0, (int)Math.Floor(Math.Log2(clipNorm / (InflationDenominator * root))));
        // Guard the floor against Log2 rounding: the bound γ√d ≤ C/64 must hold exactly as documented.
        if (!(gamma * root * InflationDenominator <= clipNorm))
        {
            gamma /= 2;
        }

        // σ·Δ/γ = σC/γ + σ√d falls towards σ√d < 2^23 as γ grows, so this ends.
        while (noiseMultiplier * (clipNorm + (gamma * root)) / gamma > MaxGridStd)
        {
            gamma *= 2;
        }

        return gamma;
    }

    /// <summary>Δ = C + γ√d, the L2 sensitivity to charge for a sum of vectors clipped to C after snapping.</summary>
    public static double ChargedSensitivity(double clipNorm, double noiseMultiplier, int dimension) =>
        clipNorm + (Grid(clipNorm, noiseMultiplier, dimension) * Math.Sqrt(dimension));

    /// <summary>
    /// σ_int², the integer noise variance on the grid: at least ⌈(σ·Δ/γ)²⌉ (more noise, never less), as the sampler
    /// realises it (<see cref="ScaledDiscreteGaussian.Variance"/>, at most 1/256 above).
    /// </summary>
    public static ulong GridVariance(double clipNorm, double noiseMultiplier, int dimension) =>
        Sampler(clipNorm, noiseMultiplier, dimension).Variance;

    /// <summary>
    /// ⌈(σ·Δ/γ)²⌉ (at least 1): the grid variance the sampler is asked for, which the ledger records
    /// (<c>integer_noise_variance</c>, docs/ledger.md) so an auditor can re-derive the sampler and its distance.
    /// </summary>
    public static ulong RequestedVariance(double clipNorm, double noiseMultiplier, int dimension) =>
        Sampler(clipNorm, noiseMultiplier, dimension).MinimumVariance;

    /// <summary>
    /// Replaces <paramref name="sum"/> (a sum of vectors each clipped to L2 norm <paramref name="clipNorm"/>) with
    /// γ·(round(sum/γ) + N_Z(0, σ_int²)^d) and returns the sensitivity Δ = C + γ√d that the release must be charged
    /// with (at noise multiplier σ). Randomness from <paramref name="random"/>, or a fresh OS-seeded CSPRNG.
    /// </summary>
    /// <exception cref="ArgumentException">A non-finite value in the sum, or degenerate C or σ.</exception>
    public static double AddNoise(Span<float> sum, double clipNorm, double noiseMultiplier, CryptoRandom? random = null)
    {
        var noise = ArrayPool<uint>.Shared.Rent(sum.Length);
        var owned = random is null ? new CryptoRandom() : null;
        try
        {
            var words = noise.AsSpan(0, sum.Length);
            DrawNoise(words, clipNorm, noiseMultiplier, random ?? owned!);
            return Release(sum, words, clipNorm, noiseMultiplier);
        }
        finally
        {
            owned?.Dispose();
            ArrayPool<uint>.Shared.Return(noise);
        }
    }

    /// <summary>
    /// As <see cref="AddNoise(Span{float}, double, double, CryptoRandom?)"/> for a sum held in double precision, which is
    /// snapped directly (never narrowed to float first: narrowing moves each coordinate by up to 2^−24 of its value, which
    /// the charged Δ does not cover). The release, γ times an integer vector, is written to <paramref name="output"/>.
    /// </summary>
    public static double AddNoise(ReadOnlySpan<double> sum, Span<float> output, double clipNorm, double noiseMultiplier, CryptoRandom? random = null)
    {
        var noise = ArrayPool<uint>.Shared.Rent(sum.Length);
        var owned = random is null ? new CryptoRandom() : null;
        try
        {
            var words = noise.AsSpan(0, sum.Length);
            DrawNoise(words, clipNorm, noiseMultiplier, random ?? owned!);
            return Release(sum, words, output, clipNorm, noiseMultiplier);
        }
        finally
        {
            owned?.Dispose();
            ArrayPool<uint>.Shared.Return(noise);
        }
    }

    /// <summary>
    /// Writes γ·(round(sum/γ) + noise) to <paramref name="output"/> for a sum held in double precision and returns the
    /// sensitivity Δ = C + γ√d to charge (at noise multiplier σ). S/γ is exact (γ a power of two), so the snapping bound
    /// of the class comment holds for the double sum itself.
    /// </summary>
    /// <exception cref="ArgumentException">A non-finite value in the sum, or spans of different lengths.</exception>
    public static double Release(ReadOnlySpan<double> sum, ReadOnlySpan<uint> noise, Span<float> output, double clipNorm, double noiseMultiplier)
    {
        if (noise.Length != sum.Length || output.Length != sum.Length)
        {
            throw new ArgumentException($"Expected {sum.Length} noise words and output values, got {noise.Length} and {output.Length}.", nameof(noise));
        }

        var d = Math.Max(1, sum.Length);
        var gamma = Grid(clipNorm, noiseMultiplier, d);
        var inverse = 1.0 / gamma; // exact: γ is a power of two
        for (var i = 0; i < sum.Length; i++)
        {
            output[i] = (float)((Snap(sum[i] * inverse) + (int)noise[i]) * gamma);
        }

        return ChargedSensitivity(clipNorm, noiseMultiplier, d);
    }

    /// <summary>
    /// The noise of one release of length <paramref name="noise"/>.Length, drawn ahead of the data it will be added to
    /// (it does not depend on it): N_Z(0, σ_int²) per word as a signed 32-bit integer. Use each draw in exactly one
    /// <see cref="Release"/> with the same C, σ and length.
    /// </summary>
    public static void DrawNoise(Span<uint> noise, double clipNorm, double noiseMultiplier, CryptoRandom random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var sampler = Sampler(clipNorm, noiseMultiplier, Math.Max(1, noise.Length));
        noise.Clear();
        sampler.AddSamples(noise, random);
    }

    /// <summary>
    /// Replaces <paramref name="sum"/> with γ·(round(sum/γ) + noise), <paramref name="noise"/> from
    /// <see cref="DrawNoise"/>, and returns the sensitivity Δ = C + γ√d to charge (at noise multiplier σ).
    /// </summary>
    /// <exception cref="ArgumentException">A non-finite value in the sum, or a noise draw of another length.</exception>
    public static double Release(Span<float> sum, ReadOnlySpan<uint> noise, double clipNorm, double noiseMultiplier)
    {
        if (noise.Length != sum.Length)
        {
            throw new ArgumentException($"Expected {sum.Length} noise words, got {noise.Length}.", nameof(noise));
        }

        var d = Math.Max(1, sum.Length);
        var gamma = Grid(clipNorm, noiseMultiplier, d);
        var inverse = 1.0 / gamma; // exact: γ is a power of two
        for (var i = 0; i < sum.Length; i++)
        {
            sum[i] = (float)((Snap(sum[i] * inverse) + (int)noise[i]) * gamma);
        }

        return ChargedSensitivity(clipNorm, noiseMultiplier, d);
    }

    /// <summary>
    /// The release of <see cref="Release(Span{float}, ReadOnlySpan{uint}, double, double)"/>, γ·(round(sum/γ) + noise),
    /// added to <paramref name="accumulator"/> times <paramref name="scale"/> in the same pass (DP-SGD's step
    /// w ← w + scale·release), without writing the release anywhere else; <paramref name="sum"/> is left as it was.
    /// Returns the sensitivity Δ = C + γ√d to charge (at noise multiplier σ). Eight and sixteen lanes at a time where the
    /// hardware has them; the arithmetic is the scalar one's: S/γ exact, round to nearest even, the integer plus the
    /// noise exact below 2^53 (and a function of that integer sum above), then γ times it narrowed to float.
    /// </summary>
    /// <exception cref="ArgumentException">A non-finite value in the sum, or spans of different lengths.</exception>
    public static double ReleaseInto(ReadOnlySpan<float> sum, ReadOnlySpan<uint> noise, double clipNorm, double noiseMultiplier, float scale, Span<float> accumulator)
    {
        if (noise.Length != sum.Length || accumulator.Length != sum.Length)
        {
            throw new ArgumentException($"Expected {sum.Length} noise words and accumulator values, got {noise.Length} and {accumulator.Length}.", nameof(noise));
        }

        var d = Math.Max(1, sum.Length);
        var gamma = Grid(clipNorm, noiseMultiplier, d);
        var inverse = 1.0 / gamma; // exact: γ is a power of two
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var words = MemoryMarshal.Cast<uint, int>(noise);
            var (inverseV, gammaV, limit, scaleV) = (Vector512.Create(inverse), Vector512.Create(gamma), Vector512.Create(MaxGridValue), Vector512.Create(scale));
            for (; i + 16 <= sum.Length; i += 16)
            {
                var (low, high) = Vector512.Widen(Vector512.Create(sum.Slice(i, 16)));
                var (noiseLow, noiseHigh) = Vector512.Widen(Vector512.Create(words.Slice(i, 16)));
                var release = Vector512.Narrow(
                    SnapAndAdd(low * inverseV, noiseLow, limit) * gammaV,
                    SnapAndAdd(high * inverseV, noiseHigh, limit) * gammaV);
                ((release * scaleV) + Vector512.Create((ReadOnlySpan<float>)accumulator.Slice(i, 16))).CopyTo(accumulator.Slice(i, 16));
            }
        }

        for (; i < sum.Length; i++)
        {
            accumulator[i] += (float)((Snap(sum[i] * inverse) + (int)noise[i]) * gamma) * scale;
        }

        return ChargedSensitivity(clipNorm, noiseMultiplier, d);
    }

    private static Vector512<double> SnapAndAdd(Vector512<double> scaled, Vector512<long> noise, Vector512<double> limit) =>
        Vector512.LessThanOrEqualAll(Vector512.Abs(scaled), limit)
            ? Vector512.Round(scaled) + Vector512.ConvertToDouble(noise) // Round: to nearest, ties to even, as Snap
            : throw new ArgumentException("The sum contains a non-finite value or one far beyond any clipped sum.", "sum");

    /// <summary>
    /// Round to nearest (ties to even): deterministic, moves the coordinate by ≤ γ/2. The integer result plus the integer
    /// noise (read as a signed 32-bit draw) is exact in a long; scaling back by γ and narrowing to float are
    /// post-processing of that integer.
    /// </summary>
    private static long Snap(double scaled) =>
        Math.Abs(scaled) <= MaxGridValue
            ? (long)Math.Round(scaled, MidpointRounding.ToEven)
            : throw new ArgumentException("The sum contains a non-finite value or one far beyond any clipped sum.", "sum");

    /// <summary>
    /// An upper bound on the total variation distance between one release's noise and exact N_Z(0, σ_int²)^d, given
    /// uniform random bits: d times the sampler's per-coordinate bound (≈ 2^−91). A mechanism within TV η of an
    /// (ε, δ)-DP one is (ε, δ + (1 + e^ε)·η)-DP, and the η of composed releases add up.
    /// </summary>
    public static double StatisticalDistance(double clipNorm, double noiseMultiplier, int dimension) =>
        dimension * Sampler(clipNorm, noiseMultiplier, dimension).StatisticalDistanceBound;

    private static ScaledDiscreteGaussian Sampler(double clipNorm, double noiseMultiplier, int dimension)
    {
        var std = noiseMultiplier * ChargedSensitivity(clipNorm, noiseMultiplier, dimension) / Grid(clipNorm, noiseMultiplier, dimension);
        return ScaledDiscreteGaussian.For((ulong)Math.Max(1, Math.Ceiling(std * std))); // ≤ 2^48 by the grid's choice
    }

    private static void RequirePositiveFinite(double value, string name)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            throw new ArgumentException($"{name} must be a positive finite number, got {value}.", name);
        }
    }
}
