using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// Cumulative distribution table (CDT) sampler for the discrete Gaussian N_Z(0, σ²) of Canonne, Kamath &amp; Steinke
/// 2020 at one fixed integer σ² — the inversion method with a precomputed CDF, as in Peikert 2010 ("An Efficient and
/// Parallel Gaussian Sampler for Lattices", CRYPTO) and the CDT samplers surveyed by Dwarakanath &amp; Galbraith 2014
/// and used in BLISS (Ducas, Durmus, Lepoint &amp; Lyubashevsky 2013), with a guide table to start the search.
/// <para>
/// The magnitude M = |X| is drawn from its CDF over 0 … B (weights f(0) and 2f(i), f(i) = exp(−i²/(2σ²))) stored as
/// 128-bit fixed-point fractions C[i]; a uniform 128-bit U gives the smallest i with U &lt; C[i], and an independent
/// bit the sign. Only the high 64 bits of U are drawn unless they tie with a table entry (probability ≈ B·2^−64).
/// </para>
/// <para>
/// Distance from N_Z(0, σ²), bounded at construction into <see cref="StatisticalDistanceBound"/> (≤ 2^−70 for every
/// allowed σ², ≈ 2^−71 at σ² = 2.5·10^8): (1) the tail cut B is the least integer with P[|X| &gt; B] ≤ 2^−72, using
/// Σ_{x&gt;B} f(x) ≤ f(B+1)/(1 − f(B+2)/f(B+1)) and Σ_Z f ≥ max(1, σ√(2π)) (Poisson summation); (2) f is built by
/// the recurrence f(i+1) = f(i)·q_i, q_{i+1} = q_i·exp(−1/σ²) in 108-bit fixed point, each step truncating one unit, so
/// every |f̃(i) − f(i)| ≤ E = 2^−108·(B + 1 + Σ_i (3i + 2) f(i)) and the renormalised weights are within 2(B+1)E/Σf in
/// total variation; (3) normalising to 2^128 loses ≤ 3 units per entry, ≤ 3(B+1)·2^−128. The bound is the sum.
/// Given uniform bits this is the whole error; per 2^20-coordinate vector it is ≤ 2^20 times the per-sample bound.
/// </para>
/// The search is not constant-time (nor is the exact sampler's rejection loop). σ² above <see cref="MaxSigmaSquared"/>
/// (σ &gt; 2^16, over ~7·10^5 entries) is left to the exact <see cref="DiscreteGaussianSampler"/>.
/// </summary>
internal sealed class DiscreteGaussianTable
{
    /// <summary>Largest σ² given a table: σ ≤ 2^16, at most ~7·10^5 entries (11 MiB).</summary>
    public const ulong MaxSigmaSquared = 1UL << 32;

    private const int WeightBits = 108;
    private const int MaxGuideBits = 18; // 1 MiB of guide: near the mode most buckets resolve without a table read
    private const int TailBits = 72;

    // Half tables (the base of ScaledDiscreteGaussian) are small, so their tail is cut at 2^−100 instead: their bound
    // is then set by the 108-bit weights, ≈ 2^−92 for σ² ≤ 1024.
    private const int HalfTailBits = 100;
    private const int Batch = 512;

    private static DiscreteGaussianTable? _last;
    private static DiscreteGaussianTable? _lastHalf;

    private readonly ulong[] _high;
    private readonly ulong[] _low;
    private readonly int[] _guide;
    private readonly int _guideShift;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // runs once per σ², on the participant's clock
    /// <param name="sigmaSquared">σ².</param>
    /// <param name="half">Tabulate the half-Gaussian on {0, 1, 2, …} (weights f(i) for every i, no sign) instead of
    /// the magnitude of N_Z(0, σ²) (weights f(0), 2f(i)): the base of <see cref="ScaledDiscreteGaussian"/>.</param>
    private DiscreteGaussianTable(ulong sigmaSquared, bool half = false)
    {
        IsHalf = half;
        ArgumentOutOfRangeException.ThrowIfZero(sigmaSquared);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sigmaSquared, MaxSigmaSquared);
        SigmaSquared = sigmaSquared;
        double s2 = sigmaSquared;
        var normaliserFloor = Math.Max(1.0, Math.Sqrt(2 * Math.PI * s2));
        TailCut = ChooseTailCut(s2, normaliserFloor, half ? HalfTailBits : TailBits, out var tailMass);

        // Fixed-point magnitude weights w(0) = f(0), w(i) = 2 f(i), accumulated exactly (≤ 2^126 for σ ≤ 2^16).
        var one = UInt128.One << WeightBits;
        var q = ExpNegative(1, 2 * (UInt128)sigmaSquared); // f(1)/f(0)
        var r = ExpNegative(1, sigmaSquared);               // q_{i+1}/q_i
        var f = one;
        var cumulative = new UInt128[TailCut + 1];
        UInt128 sum = 0;
        for (var i = 0; i <= TailCut; i++)
        {
            sum += i == 0 || half ? f : f << 1;
            cumulative[i] = sum;
            f = MultiplyShift(f, q, WeightBits);
            q = MultiplyShift(q, r, WeightBits);
        }

        // C[i] = ⌊2^128 · W_i / W_B⌋ via a 127-bit reciprocal of the normalised total; C[B] = 2^128 is implicit.
        var shift = (int)UInt128.LeadingZeroCount(sum);
        var reciprocal = (UInt128)(((BigInteger.One << 255) - 1) / (BigInteger)(sum << shift));
        _high = new ulong[TailCut];
        _low = new ulong[TailCut];
        for (var i = 0; i < TailCut; i++)
        {
            var c = MultiplyShift(cumulative[i] << shift, reciprocal, 127);
            _high[i] = (ulong)(c >> 64);
            _low[i] = (ulong)c;
        }

        // Half tables are small (σ₀ ≤ 32, a few hundred entries) and drawn from in a hot loop: a guide 256 times finer
        // than the table resolves all but ~0.5% of draws without a data-dependent search (mispredicted branches).
        var guideBits = Math.Clamp(BitOperations.Log2((uint)TailCut) + (half ? 8 : 3), 4, MaxGuideBits);
        _guideShift = 64 - guideBits;
        _guide = new int[(1 << guideBits) + 1];
        var index = 0;
        for (var b = 0; b < 1 << guideBits; b++)
        {
            var threshold = (ulong)b << _guideShift;
            while (index < _high.Length && _high[index] < threshold)
            {
                index++;
            }

            _guide[b] = index;
        }

        _guide[1 << guideBits] = _high.Length;
        // Σ_i (3i + 2) f(i) ≤ 3(σ² + σ) + 2(1 + σ√(π/2)), comparing the sums with their integrals.
        var entries = TailCut + 1.0;
        var sigma = Math.Sqrt(s2);
        var errorTerms = (3 * (s2 + sigma)) + (2 * (1 + (sigma * Math.Sqrt(Math.PI / 2))));
        var weightError = Math.ScaleB(1.01 * (entries + errorTerms), -WeightBits);
        // Half-Gaussian: Σ_{x≥0} f ≥ Σ_Z f / 2, so the weight term doubles; its tail P[M > B] = Σ_{x>B} f / Σ_{x≥0} f is
        // at most the two-sided tail 2·Σ_{x>B} f / Σ_Z f bounded above, for the same reason.
        var normaliser = half ? normaliserFloor / 2 : normaliserFloor;
        StatisticalDistanceBound = tailMass + 2 * entries * weightError / normaliser + 3 * entries * Math.ScaleB(1.0, -128);
    }

    public ulong SigmaSquared { get; }

    /// <summary>Whether this table samples the half-Gaussian on {0, 1, …} rather than |N_Z(0, σ²)|.</summary>
    public bool IsHalf { get; }

    /// <summary>B: the largest magnitude the table can return.</summary>
    public int TailCut { get; }

    /// <summary>Proven upper bound on the total variation distance between one sample and N_Z(0, σ²).</summary>
    public double StatisticalDistanceBound { get; }

    /// <summary>The table for σ², reusing the last one built (rounds of a session share σ²). Thread-safe.</summary>
    public static DiscreteGaussianTable For(ulong sigmaSquared)
    {
        var last = Volatile.Read(ref _last);
        if (last?.SigmaSquared == sigmaSquared)
        {
            return last;
        }

        var table = new DiscreteGaussianTable(sigmaSquared);
        Volatile.Write(ref _last, table);
        return table;
    }

    /// <summary>The half-Gaussian table for σ² (P[M = i] ∝ exp(−i²/(2σ²)), i ≥ 0), reusing the last one built. Thread-safe.</summary>
    public static DiscreteGaussianTable ForHalf(ulong sigmaSquared)
    {
        var last = Volatile.Read(ref _lastHalf);
        if (last?.SigmaSquared == sigmaSquared)
        {
            return last;
        }

        var table = new DiscreteGaussianTable(sigmaSquared, half: true);
        Volatile.Write(ref _lastHalf, table);
        return table;
    }

    /// <summary>One table draw from the 64 uniform bits <paramref name="high"/> (more from <paramref name="random"/> on a tie).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long SampleMagnitude(ulong high, CryptoRandom random) => Magnitude(high, random);

    /// <summary>
    /// For each value b of the top <paramref name="bits"/> bits of the 64-bit draw: the magnitude every draw starting
    /// with b gets (no table entry's high word lies in [b·2^(64−bits), (b+1)·2^(64−bits)), so <see cref="SampleMagnitude"/>
    /// returns the same index whatever the remaining bits), or −1 when the prefix straddles an entry and the remaining
    /// bits decide. Lets a sampler read only the prefix in the common case and draw the rest only when it matters.
    /// </summary>
    internal int[] ResolvedPrefixes(int bits)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bits, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bits, 24);
        var shift = 64 - bits;
        var result = new int[1 << bits];
        // first[b] = the least index with _high[index] ≥ b·2^shift, as the guide is built.
        var index = 0;
        for (var b = 0; b < result.Length; b++)
        {
            var threshold = (ulong)b << shift;
            while (index < _high.Length && _high[index] < threshold)
            {
                index++;
            }

            var next = index;
            var end = b + 1 < result.Length ? (ulong)(b + 1) << shift : 0;
            while (next < _high.Length && (b + 1 == result.Length || _high[next] < end))
            {
                next++;
            }

            result[b] = next == index ? index : -1;
        }

        return result;
    }

    public long Sample(CryptoRandom random)
    {
        var magnitude = Magnitude(random.NextUInt64(), random);
        return random.NextBit() ? -magnitude : magnitude;
    }

    /// <summary>target[j] += a fresh sample (mod 2^32) for every j; uniform words are drawn in batches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddSamples(Span<uint> target, CryptoRandom random)
    {
        Span<uint> words = stackalloc uint[2 * Batch + Batch / 32];
        for (var start = 0; start < target.Length; start += Batch)
        {
            var chunk = target.Slice(start, Math.Min(Batch, target.Length - start));
            random.Fill(words);
            var draws = MemoryMarshal.Cast<uint, ulong>(words[..(2 * Batch)]);
            var signs = words[(2 * Batch)..];
            for (var j = 0; j < chunk.Length; j++)
            {
                var magnitude = (uint)Magnitude(draws[j], random);
                var negative = 0u - ((signs[j >> 5] >> (j & 31)) & 1); // all ones or zero: a branch-free ±
                chunk[j] += (magnitude ^ negative) - negative;
            }
        }
    }

    /// <summary>Smallest i with U &lt; C[i] for U = (high, low); low is drawn only on a tie of the high words.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Magnitude(ulong high, CryptoRandom random)
    {
        var bucket = (int)(high >> _guideShift);
        int lo = _guide[bucket], hi = _guide[bucket + 1];
        if (lo == hi)
        {
            return lo; // the whole bucket lies below C[lo] (or past the table): the common case near the mode
        }

        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            var below = _high[mid] < high;
            lo = below ? mid + 1 : lo;
            hi = below ? hi : mid;
        }

        if (lo == _high.Length || _high[lo] > high)
        {
            return lo;
        }

        var low = random.NextUInt64();
        while (lo < _high.Length && _high[lo] == high && _low[lo] <= low)
        {
            lo++;
        }

        return lo;
    }

    /// <summary>Least B with P[|X| &gt; B] ≤ 2^−tailBits; returns that tail mass bound too.</summary>
    private static int ChooseTailCut(double s2, double normaliserFloor, int tailBits, out double tailMass)
    {
        var target = Math.ScaleB(1.0, -tailBits);
        var b = Math.Max(0, (int)(Math.Sqrt(2 * s2 * (tailBits * Math.Log(2) - 4))) - 2);
        while ((tailMass = TailBound(b)) > target)
        {
            b++;
        }

        return b;

        double TailBound(int cut)
        {
            double x = cut + 1;
            var ratio = Math.Exp(-(2 * x + 1) / (2 * s2)); // f(x+1)/f(x), decreasing in x
            return 1.001 * 2 * Math.Exp(-x * x / (2 * s2)) / (1 - ratio) / normaliserFloor;
        }
    }

    /// <summary>exp(−n/d)·2^WeightBits (n/d ≤ 1) from its Taylor series in 170-bit fixed point; within 2 units.</summary>
    private static UInt128 ExpNegative(ulong numerator, UInt128 denominator)
    {
        const int Guard = 62;
        var scale = BigInteger.One << (WeightBits + Guard);
        BigInteger term = scale, sum = scale;
        for (var k = 1; !term.IsZero; k++)
        {
            term = term * numerator / ((BigInteger)denominator * k);
            sum += (k & 1) == 1 ? -term : term;
        }

        return (UInt128)(sum >> Guard);
    }

    /// <summary>⌊a·b / 2^shift⌋ for 0 &lt; shift &lt; 128 from the full 256-bit product (64-bit limbs; the result must
    /// fit 128 bits). Hand-rolled because UInt128's operators cost ~10× more here and the table build runs per σ².</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static UInt128 MultiplyShift(UInt128 a, UInt128 b, int shift)
    {
        ulong a0 = (ulong)a, a1 = (ulong)(a >> 64), b0 = (ulong)b, b1 = (ulong)(b >> 64);
        var h00 = Math.BigMul(a0, b0, out var l00);
        var h01 = Math.BigMul(a0, b1, out var l01);
        var h10 = Math.BigMul(a1, b0, out var l10);
        var h11 = Math.BigMul(a1, b1, out var l11);
        var w1 = h00 + l01;
        ulong carry = w1 < l01 ? 1UL : 0;
        w1 += l10;
        carry += w1 < l10 ? 1UL : 0;
        var w2 = l11 + carry;
        carry = w2 < carry ? 1UL : 0;
        w2 += h01;
        carry += w2 < h01 ? 1UL : 0;
        w2 += h10;
        carry += w2 < h10 ? 1UL : 0;
        var w3 = h11 + carry;
        ulong low, high;
        if (shift < 64)
        {
            (low, high) = ((l00 >> shift) | (w1 << (64 - shift)), (w1 >> shift) | (w2 << (64 - shift)));
        }
        else if (shift == 64)
        {
            (low, high) = (w1, w2);
        }
        else
        {
            var bit = shift - 64;
            (low, high) = ((w1 >> bit) | (w2 << (64 - bit)), (w2 >> bit) | (w3 << (64 - bit)));
        }

        return new UInt128(high, low);
    }
}
