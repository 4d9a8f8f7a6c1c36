namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// Exact sampler for the discrete Gaussian N_Z(0, σ²), P[X = x] ∝ exp(−x²/(2σ²)) on the integers, from Canonne, Kamath
/// &amp; Steinke 2020, "The Discrete Gaussian for Differential Privacy", Algorithms 1–3: Bernoulli(exp(−γ)) from
/// Bernoulli(γ/k) draws, a discrete Laplace proposal with scale t = ⌊σ⌋ + 1, and rejection with probability
/// exp(−(|Y| − σ²/t)²/(2σ²)). All arithmetic is on exact integers (σ² is an integer here), so the output
/// distribution is exactly N_Z(0, σ²) given uniform bits — no floating-point tail truncation.
/// Why the discrete Gaussian rather than Skellam: the accountant's privacy bound for a sum of t discrete Gaussians is
/// Kairouz, Liu &amp; Steinke 2021 (Thm 2 / Prop 14) with the same paper's rounding bound, so one source covers both;
/// and CKS give an exact sampler, while exact Poisson sampling for Skellam at variances ~10^8 needs floating point.
/// </summary>
public sealed class DiscreteGaussianSampler
{
    private readonly ulong _sigmaSquared;
    private readonly ulong _t;
    private readonly UInt128 _rejectDenominator;

    /// <summary>Largest σ² the integer arithmetic is sized for (2^48).</summary>
    public const ulong MaxSigmaSquared = 1UL << 48;

    /// <param name="sigmaSquared">σ² as an integer ≥ 1 (callers round it up, which only adds noise).</param>
    public DiscreteGaussianSampler(ulong sigmaSquared)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sigmaSquared);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(sigmaSquared, MaxSigmaSquared);
        _sigmaSquared = sigmaSquared;
        _t = IntegerSqrt(sigmaSquared) + 1;
        _rejectDenominator = (UInt128)2 * sigmaSquared * _t * _t;
    }

    public ulong SigmaSquared => _sigmaSquared;

    /// <summary>Algorithm 3: Y ← Lap_Z(t); accept with probability exp(−(|Y|t − σ²)² / (2σ²t²)).</summary>
    public long Sample(CryptoRandom random)
    {
        while (true)
        {
            var y = DiscreteLaplace(random);
            var magnitude = (UInt128)(ulong)Math.Abs(y) * _t;
            var difference = magnitude >= _sigmaSquared ? magnitude - _sigmaSquared : _sigmaSquared - magnitude;
            if (BernoulliExp(random, difference * difference, _rejectDenominator))
            {
                return y;
            }
        }
    }

    /// <summary>Algorithm 2 with s = 1: P[Y = y] ∝ exp(−|y|/t).</summary>
    private long DiscreteLaplace(CryptoRandom random)
    {
        while (true)
        {
            var u = random.NextBelow(_t);
            if (!BernoulliExp(random, u, _t))
            {
                continue;
            }

            ulong v = 0;
            while (BernoulliExp(random, 1, 1))
            {
                v++;
            }

            var x = u + _t * v;
            var negative = random.NextBit();
            if (negative && x == 0)
            {
                continue;
            }

            return negative ? -(long)x : (long)x;
        }
    }

    /// <summary>Algorithm 1: Bernoulli(exp(−n/d)) for rational n/d ≥ 0.</summary>
    internal static bool BernoulliExp(CryptoRandom random, UInt128 numerator, UInt128 denominator)
    {
        while (numerator > denominator)
        {
            if (!BernoulliExp(random, 1, 1))
            {
                return false;
            }

            numerator -= denominator;
        }

        // γ = n/d ∈ [0, 1]: K ← 1; while Bernoulli(γ/K) K ← K + 1; return K odd.
        ulong k = 1;
        while (random.NextBelow(denominator * k) < numerator)
        {
            k++;
        }

        return (k & 1) == 1;
    }

    private static ulong IntegerSqrt(ulong x)
    {
        var r = (ulong)Math.Sqrt(x);
        while (r * r > x)
        {
            r--;
        }

        while ((r + 1) * (r + 1) <= x)
        {
            r++;
        }

        return r;
    }
}
