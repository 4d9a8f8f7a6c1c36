using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// N_Z(0, σ²) for large σ² = k²·σ₀² (k = 2^m, 256 ≤ σ₀² &lt; 1024) from a small half-Gaussian table, by the
/// decomposition of Ducas, Durmus, Lepoint &amp; Lyubashevsky 2013 ("Lattice Signatures and Bimodal Gaussians",
/// CRYPTO, §6, Algorithm 11 with a tabulated base instead of their binary Gaussian): the big-σ tables of
/// <see cref="DiscreteGaussianTable"/> do not fit in cache, this one's base has ~300 entries.
/// <para>
/// Every z ≥ 0 is uniquely z = k·x + y with x ≥ 0, 0 ≤ y &lt; k, and
/// exp(−z²/(2k²σ₀²)) = exp(−x²/(2σ₀²)) · exp(−y(y + 2kx)/(2k²σ₀²)). So: draw x from the half-Gaussian
/// P[x] ∝ exp(−x²/(2σ₀²)) (table), y uniform, and accept with probability exp(−y(y + 2kx)/(2k²σ₀²)) ≤ 1; accepted
/// z has P[z] ∝ exp(−z²/(2σ²)) on {0, 1, …}. A uniform sign, restarting on (−, 0) so zero is not counted twice,
/// gives N_Z(0, σ²) exactly (rejection sampling is exact for any proposal that dominates the target).
/// </para>
/// <para>
/// The acceptance test compares a uniform U with e = exp(−n/d), n = y(y + 2kx), d = 2k²σ₀² (integers). Fast path: a
/// degree-12 Taylor polynomial evaluated in double on 8 lanes. Here n/d &lt; (1 + 2B)/(2σ₀²) &lt; 0.8 (B ≈ 12σ₀ the
/// base table's largest value, σ₀ ≥ 16), so |p − e| ≤ 10^−11 &lt; 2^−36 (truncation 0.8^13/13! &lt; 9·10^−12, Horner
/// rounding ≤ 12·e^0.8·2^−53, n exact below 2^53, n/d within 2^−52 relative); it decides whenever 32 bits of U are at
/// least 2^−34 away from p. Otherwise (probability ≈ 2^−31) U is extended to 192
/// bits and compared with e computed to 192 bits in exact integer arithmetic, so the decision is wrong with
/// probability ≤ 2^−186. Per sample the total variation distance from N_Z(0, σ²) is at most
/// 2·(base table's bound + 2^−186) ≈ 2^−91 (a rejection sampler's error is at most the per-round error over the acceptance
/// probability, here ≥ 0.9 — see <see cref="StatisticalDistanceBound"/>).
/// </para>
/// </summary>
public sealed class ScaledDiscreteGaussian
{
    /// <summary>σ₀² ≥ 256 (σ₀ ≥ 16): acceptance ≈ 1 − 0.4/σ₀ ≥ 0.97, and rounding σ² up to k²σ₀² adds ≤ 1/256 to it.</summary>
    private const ulong MinBaseVariance = 256;

    private const int Batch = 256;

    // The packed path: the base draw's prefix read from A's top 16 bits, y from at most 15 low bits (bit 15 is the sign).
    private const int PrefixBits = 16;
    private const int PackedYBits = 15;
    private const int Degree = 12;
    private static readonly double Margin = Math.ScaleB(1.0, -34);
    private static readonly double InverseTwoPow32 = Math.ScaleB(1.0, -32);
    private static ScaledDiscreteGaussian? _last;

    private readonly DiscreteGaussianTable _base;
    private readonly int _shift;
    private readonly ulong _kMask;
    private readonly double _inverseDenominator;
    private readonly UInt128 _denominator;
    private readonly int[]? _prefixMagnitudes;

    private ScaledDiscreteGaussian(ulong minimumVariance)
    {
        ArgumentOutOfRangeException.ThrowIfZero(minimumVariance);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minimumVariance, DiscreteGaussianSampler.MaxSigmaSquared);
        MinimumVariance = minimumVariance;
        // k² = 4^m ≤ V/256, so σ₀² = ⌈V/4^m⌉ ∈ [256, 1024) (or V itself when V < 1024).
        _shift = minimumVariance < 4 * MinBaseVariance ? 0 : (BitOperations.Log2(minimumVariance / MinBaseVariance) / 2);
        var k2 = 1UL << (2 * _shift);
        var baseVariance = (minimumVariance + k2 - 1) / k2;
        _base = DiscreteGaussianTable.ForHalf(baseVariance);
        _kMask = (1UL << _shift) - 1;
        _denominator = 2 * (UInt128)k2 * baseVariance;
        _inverseDenominator = Math.ScaleB(1.0 / baseVariance, -(2 * _shift) - 1);
        Variance = k2 * baseVariance;
        // The packed path reads y and the sign from the low 16 bits of one word and the base draw's prefix from the top 16.
        _prefixMagnitudes = _shift <= PackedYBits ? _base.ResolvedPrefixes(PrefixBits) : null;
    }

    /// <summary>The variance asked for; <see cref="Variance"/> is at least this.</summary>
    public ulong MinimumVariance { get; }

    /// <summary>σ² = k²·σ₀² ≥ <see cref="MinimumVariance"/>, at most 1/256 above it (more noise, never less).</summary>
    public ulong Variance { get; }

    /// <summary>Proven upper bound on the total variation distance of one sample from N_Z(0, <see cref="Variance"/>).</summary>
    public double StatisticalDistanceBound => 2 * (_base.StatisticalDistanceBound + Math.ScaleB(1.0, -186));

    /// <summary>The sampler for at least <paramref name="minimumVariance"/>, reusing the last one built. Thread-safe.</summary>
    public static ScaledDiscreteGaussian For(ulong minimumVariance)
    {
        var last = Volatile.Read(ref _last);
        if (last?.MinimumVariance == minimumVariance)
        {
            return last;
        }

        var sampler = new ScaledDiscreteGaussian(minimumVariance);
        Volatile.Write(ref _last, sampler);
        return sampler;
    }

    /// <summary>target[j] += a fresh sample (mod 2^32) for every j.</summary>
    public void AddSamples(Span<uint> target, CryptoRandom random)
    {
        if (_prefixMagnitudes is not null && Vector512.IsHardwareAccelerated)
        {
            AddSamplesPacked(target, random);
        }
        else
        {
            AddSamplesWide(target, random);
        }
    }

    /// <summary>
    /// The same proposals and decisions as <see cref="AddSamplesWide"/>, with the uniform bits drawn only as far as they
    /// matter and the acceptance decided on eight lanes at once. Per proposal two 32-bit words: A holds the base draw's
    /// top 16 bits (31 … 16), the sign (15) and y (the low m ≤ 15 bits); U is the acceptance uniform's top 32 bits. When
    /// A's top 16 bits fall inside one step of the base CDF (all but ~0.5% of draws), they decide x alone; otherwise 48
    /// fresh bits complete the 64-bit draw (<see cref="DiscreteGaussianTable.ResolvedPrefixes"/>). Lazily extending a
    /// uniform with fresh independent bits leaves it uniform, so the distribution, and the distance bound, are unchanged.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddSamplesPacked(Span<uint> target, CryptoRandom random)
    {
        Span<ulong> pairs = stackalloc ulong[Batch]; // A in the low half, U in the high half
        Span<long> magnitudes = stackalloc long[Batch];
        Span<double> exponents = stackalloc double[Batch];
        Span<double> probabilities = stackalloc double[Batch];
        Span<long> signed = stackalloc long[8];
        Span<uint> staged = stackalloc uint[Batch];
        var prefixes = _prefixMagnitudes!;
        var words = MemoryMarshal.Cast<ulong, uint>(pairs);
        var scale = Vector512.Create(InverseTwoPow32);
        var margin = Vector512.Create(Margin);
        var j = 0;
        while (j < target.Length)
        {
            random.Fill(words);

            // x from the prefix table (48 fresh bits complete the draw when the prefix straddles a table entry), then
            // z = kx + y and the exponent n/d = y(y + 2kx)/(2k²σ₀²) (the product is below 2^53: exact, as in AddSamplesWide).
            for (var b = 0; b < Batch; b++)
            {
                var a = (uint)pairs[b];
                var prefix = a >> (32 - PrefixBits);
                long x = prefixes[prefix];
                if (x < 0)
                {
                    x = _base.SampleMagnitude(((ulong)prefix << (64 - PrefixBits)) | (random.NextUInt64() >> PrefixBits), random);
                }

                var kx = x << _shift;
                var y = (long)(a & _kMask);
                magnitudes[b] = kx + y;
                exponents[b] = y * (double)(y + (2 * kx)) * _inverseDenominator;
            }

            ExpNegative(exponents, probabilities);

            // Eight lanes: accept when U + 2^−32 ≤ p − margin, reject when U ≥ p + margin (and a negative zero, which
            // would count 0 twice), compacting the accepted ±z without branches.
            var n = 0;
            for (var g = 0; g < Batch; g += 8)
            {
                var packed = Vector512.Create((ReadOnlySpan<ulong>)pairs.Slice(g, 8));
                var z = Vector512.Create((ReadOnlySpan<long>)magnitudes.Slice(g, 8));
                var p = Vector512.Create((ReadOnlySpan<double>)probabilities.Slice(g, 8));
                var u = Vector512.ConvertToDouble(Vector512.ShiftRightLogical(packed, 32)) * scale;
                var sure = Vector512.LessThanOrEqual(u + scale, p - margin).AsInt64();
                var sureNot = Vector512.GreaterThanOrEqual(u, p + margin).AsInt64();
                var negative = -Vector512.ShiftRightLogical(packed & Vector512.Create(1UL << 15), 15).AsInt64(); // 0 or −1
                ((z ^ negative) - negative).CopyTo(signed); // ±z without a branch
                if ((~(sure | sureNot)).ExtractMostSignificantBits() == 0)
                {
                    var keep = Vector512.AndNot(sure, negative & Vector512.Equals(z, Vector512<long>.Zero)).ExtractMostSignificantBits();
                    for (var lane = 0; lane < 8; lane++)
                    {
                        staged[n] = unchecked((uint)signed[lane]);
                        n += (int)((keep >> lane) & 1);
                    }

                    continue;
                }

                // Within 2^−34 of the threshold (probability ≈ 2^−31 a lane): the exact comparison, lane by lane.
                for (var lane = 0; lane < 8; lane++)
                {
                    var b = g + lane;
                    if (((pairs[b] & (1UL << 15)) != 0 && magnitudes[b] == 0) || !Accepts(probabilities[b], (uint)(pairs[b] >> 32), magnitudes[b], random))
                    {
                        continue;
                    }

                    staged[n++] = unchecked((uint)signed[lane]);
                }
            }

            var take = Math.Min(n, target.Length - j);
            for (var i = 0; i < take; i++)
            {
                target[j + i] += staged[i];
            }

            j += take;
        }
    }

    /// <summary>target[j] += a fresh sample (mod 2^32) for every j, from two 64-bit words per proposal.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AddSamplesWide(Span<uint> target, CryptoRandom random)
    {
        // Per proposal two words: the base draw, and (low 32 bits: U; bits 32 … 32+m−1: y; bit 63: the sign).
        Span<uint> words = stackalloc uint[4 * Batch];
        Span<double> exponents = stackalloc double[Batch];
        Span<double> accept = stackalloc double[Batch];
        Span<long> magnitudes = stackalloc long[Batch];
        var j = 0;
        while (j < target.Length)
        {
            random.Fill(words);
            var draws = MemoryMarshal.Cast<uint, ulong>(words);
            for (var b = 0; b < Batch; b++)
            {
                var x = _base.SampleMagnitude(draws[2 * b], random);
                var y = (long)((draws[(2 * b) + 1] >> 32) & _kMask);
                magnitudes[b] = (x << _shift) + y;
                exponents[b] = y * (double)(y + (2 * (x << _shift))) * _inverseDenominator;
            }

            ExpNegative(exponents, accept);
            for (var b = 0; b < Batch && j < target.Length; b++)
            {
                var w = draws[(2 * b) + 1];
                var z = magnitudes[b];
                var negative = (long)(w >> 63);
                if ((negative != 0 && z == 0) || !Accepts(accept[b], (uint)w, z, random))
                {
                    continue;
                }

                target[j++] += unchecked((uint)((z ^ -negative) + negative)); // ±z without a branch
            }
        }
    }

    /// <summary>U &lt; exp(−n/d) for U = (u + V)/2^32, V uniform: decided from p unless u is within 2^−40 of it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Accepts(double p, uint u, long z, CryptoRandom random)
    {
        var low = u * InverseTwoPow32;
        if (low + InverseTwoPow32 <= p - Margin)
        {
            return true;
        }

        if (low >= p + Margin)
        {
            return false;
        }

        var y = (ulong)z & _kMask;
        var x = (ulong)z >> _shift;
        return ExactAccepts((UInt128)y * (y + (2 * (x << _shift))), u, random);
    }

    /// <summary>The undecided case: 160 more bits of U against exp(−n/d) to 192 bits, from its Taylor series in integers.</summary>
    private bool ExactAccepts(UInt128 numerator, uint u, CryptoRandom random)
    {
        const int Bits = 192, Guard = 64;
        var scale = BigInteger.One << (Bits + Guard);
        BigInteger term = scale, sum = scale;
        for (var k = 1; !term.IsZero; k++)
        {
            term = term * numerator / ((BigInteger)_denominator * k);
            sum += (k & 1) == 1 ? -term : term;
        }

        var e = sum >> Guard;
        var uniform = ((BigInteger)u << 160) | ((BigInteger)random.NextUInt64() << 96) | ((BigInteger)random.NextUInt64() << 32) | random.NextUInt32();
        return uniform < e;
    }

    /// <summary>p[i] = Σ_{k≤12} (−t_i)^k / k! by Horner, two vectors of eight lanes at a time where the hardware has them.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ExpNegative(ReadOnlySpan<double> t, Span<double> p)
    {
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var c = Coefficients512;
            for (; i + 16 <= t.Length; i += 16)
            {
                var x0 = -Vector512.Create(t[i..]);
                var x1 = -Vector512.Create(t[(i + 8)..]);
                Vector512<double> a0 = c[Degree], a1 = c[Degree];
                for (var k = Degree - 1; k >= 0; k--)
                {
                    a0 = Vector512.FusedMultiplyAdd(a0, x0, c[k]);
                    a1 = Vector512.FusedMultiplyAdd(a1, x1, c[k]);
                }

                a0.CopyTo(p[i..]);
                a1.CopyTo(p[(i + 8)..]);
            }
        }

        for (; i < t.Length; i++)
        {
            var acc = Coefficients[Degree];
            for (var k = Degree - 1; k >= 0; k--)
            {
                acc = Math.FusedMultiplyAdd(acc, -t[i], Coefficients[k]);
            }

            p[i] = acc;
        }
    }

    /// <summary>1/k! for k = 0 … 12.</summary>
    private static readonly double[] Coefficients = BuildCoefficients();

    private static readonly Vector512<double>[] Coefficients512 = [.. Coefficients.Select(Vector512.Create)];

    private static double[] BuildCoefficients()
    {
        var c = new double[Degree + 1];
        var factorial = BigInteger.One;
        for (var k = 0; k <= Degree; k++)
        {
            factorial *= Math.Max(1, k);
            c[k] = 1.0 / (double)factorial; // k! ≤ 12! < 2^53 is exact in double, so this is the correctly rounded 1/k!
        }

        return c;
    }
}
