using System.Runtime.CompilerServices;
using FedLearn.Privacy.Numerics;

namespace FedLearn.Privacy.Rdp;

/// <summary>
/// Rényi DP of one round of the Poisson-subsampled Gaussian mechanism (add-or-remove-one adjacency), for one
/// (q, σ) at any number of orders.
/// </summary>
/// <remarks>
/// Mironov, Talwar &amp; Zhang 2019, "Rényi Differential Privacy of the Sampled Gaussian Mechanism"
/// (arXiv:1908.10530): RDP_α = log(A_α) / (α − 1), where A_α = E_{z∼μ0}[(μ(z)/μ0(z))^α],
/// μ0 = N(0, σ²), μ = (1 − q)·N(0, σ²) + q·N(1, σ²) (Sec. 3, Theorem 4 / Eq. (3) for the worst case).
/// The series follow Google dp_accounting's rdp_privacy_accountant (integer α exactly; fractional α with the
/// conservative |C(α, k)| of <see cref="LogAFractional"/> and a relative stopping rule, where dp_accounting stops
/// once both terms fall below e^-30 absolutely), so results agree to rounding. One instance serves every order of one (q, σ): the erfc factors of the fractional series depend on
/// α only through its fractional part, so they are computed once per (q, σ, frac α) instead of once per term.
/// </remarks>
internal sealed class SubsampledGaussianRdp
{
    // dp_accounting gives up after 1000 terms of the fractional series and excludes that order (RDP = +∞).
    private const int MaxFractionalTerms = 1000;

    // Terms below e^-30 of the running total stop the fractional series (dp_accounting rule).
    private static readonly double StopRatio = Math.Exp(-30.0);

    private readonly double _q;
    private readonly double _logQ;
    private readonly double _log1MinusQ;
    private readonly double _twoSigmaSq;
    private readonly double _inverseTwoSigmaSq;
    private readonly double _sqrt2Sigma;
    private readonly double _z0;
    private readonly double[] _logE0 = CreateUnset(MaxFractionalTerms);
    private readonly Dictionary<double, double[]> _termsByFraction = [];

    public SubsampledGaussianRdp(double q, double sigma)
    {
        _q = q;
        _logQ = Math.Log(q);
        _log1MinusQ = LogMath.Log1P(-q);
        _twoSigmaSq = 2.0 * sigma * sigma;
        _inverseTwoSigmaSq = 1.0 / _twoSigmaSq;
        _sqrt2Sigma = Math.Sqrt(2.0) * sigma;
        _z0 = sigma * sigma * Math.Log(1.0 / q - 1.0) + 0.5;
    }

    public double Compute(double order)
    {
        if (_q >= 1.0)
        {
            // Plain Gaussian mechanism: Mironov 2017, "Rényi Differential Privacy", Proposition 7 / Table II.
            return order / _twoSigmaSq;
        }

        var logA = order == Math.Floor(order) ? LogAInteger((int)order) : LogAFractional(order);
        return logA / (order - 1.0);
    }

    /// <summary>
    /// Integer α: binomial expansion of A_α (Mironov-Talwar-Zhang 2019, Sec. 3.3, first display):
    /// A_α = Σ_{k=0}^{α} C(α, k) (1 − q)^{α−k} q^k exp((k² − k) / (2σ²)); every term is positive.
    /// </summary>
    // Hot loops: optimise on first call (a CLI run or a short benchmark never reaches the JIT's later tiers).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal double LogAInteger(int alpha)
    {
        var terms = alpha < 4096 ? stackalloc double[alpha + 1] : new double[alpha + 1];
        var logBinomial = 0.0; // log C(α, 0)
        var max = double.NegativeInfinity;
        for (var k = 0; k <= alpha; k++)
        {
            terms[k] = logBinomial + k * _logQ + (alpha - k) * _log1MinusQ + (k * (double)k - k) * _inverseTwoSigmaSq;
            max = Math.Max(max, terms[k]);
            // C(α, k+1) = C(α, k)·(α − k)/(k + 1): an exact recurrence avoids log-gamma round-off for α ≤ 1024.
            logBinomial += LogOf(alpha - k) - LogOf(k + 1);
        }

        // log Σ e^{t_k} = max + log Σ e^{t_k − max}: one exponential per term, no overflow.
        var sum = 0.0;
        foreach (var term in terms)
        {
            sum += Math.Exp(term - max);
        }

        return max + Math.Log(sum);
    }

    /// <summary>
    /// Fractional α: split the integral at z0 = σ² log(1/q − 1) + 1/2 and expand each half as a binomial
    /// series (Mironov-Talwar-Zhang 2019, Sec. 3.3, "fractional α", and Sec. 3.4 for the numerics):
    /// A_α = Σ_k C(α,k) q^k (1−q)^{α−k} e^{(k²−k)/(2σ²)} · ½erfc((k − z0)/(√2σ))
    ///     + Σ_k C(α,k) q^{α−k} (1−q)^k e^{((α−k)²−(α−k))/(2σ²)} · ½erfc((z0 − (α−k))/(√2σ)).
    /// For fractional α the binomials C(α, k) change sign once k &gt; ⌊α⌋ + 1. Unlike dp_accounting (whose
    /// <c>_compute_log_a_frac</c> adds the terms with C(α, k) &gt; 0 and subtracts those with C(α, k) &lt; 0, as in
    /// the signed series of Mironov-Talwar-Zhang 2019, Sec. 3.3), this sums |C(α, k)| times the (positive) terms:
    /// by the triangle inequality, |Σ_k C(α, k)·s_k| ≤ Σ_k |C(α, k)|·s_k, so A_α, and with it the RDP, can only be
    /// over-estimated (conservative), and no log-subtraction can cancel catastrophically.
    /// </summary>
    // Hot loops: optimise on first call (a CLI run or a short benchmark never reaches the JIT's later tiers).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal double LogAFractional(double alpha)
    {
        var whole = (int)Math.Floor(alpha);
        var fraction = alpha - whole; // exact
        var table = FractionTable(fraction, whole);

        // The sum is kept as e^{max}·sum so each term costs one exponential; the stopping test compares the
        // scaled terms with e^-30·sum instead of taking logarithms.
        var max = double.NegativeInfinity;
        var sum = 0.0;
        double lastS0 = double.NegativeInfinity, lastS1 = double.NegativeInfinity;
        var logAbsBinomial = 0.0; // log |C(α, 0)|
        for (var i = 0; i < MaxFractionalTerms; i++)
        {
            var j = alpha - i;
            var (logE1, logAbsJ) = FractionTerms(table, fraction, whole - i);
            var logS0 = logAbsBinomial + i * _logQ + j * _log1MinusQ + (i * (double)i - i) * _inverseTwoSigmaSq + LogE0(i);
            var logS1 = logAbsBinomial + j * _logQ + i * _log1MinusQ + (j * j - j) * _inverseTwoSigmaSq + logE1;

            var larger = Math.Max(logS0, logS1);
            if (larger > max)
            {
                sum *= Math.Exp(max - larger);
                max = larger;
            }

            var scaled0 = Math.Exp(logS0 - max);
            var scaled1 = Math.Exp(logS1 - max);
            sum += scaled0 + scaled1;

            if (logS0 < lastS0 && logS1 < lastS1 && Math.Max(scaled0, scaled1) < StopRatio * sum)
            {
                return max + Math.Log(sum);
            }

            lastS0 = logS0;
            lastS1 = logS1;
            // |C(α, i+1)| = |C(α, i)|·|α − i|/(i + 1).
            logAbsBinomial += logAbsJ - LogOf(i + 1);
        }

        // Not converged: report +∞ so the conversion ignores this order instead of trusting a partial sum.
        return double.PositiveInfinity;
    }

    /// <summary>log ½erfc((i − z0)/(√2σ)), the first series' factor; the same for every α.</summary>
    private double LogE0(int i)
    {
        var value = _logE0[i];
        if (double.IsNaN(value))
        {
            value = _logE0[i] = Math.Log(0.5) + LogMath.LogErfc((i - _z0) / _sqrt2Sigma);
        }

        return value;
    }

    /// <summary>
    /// The α-dependent factors of term i, which depend on j = α − i = frac α + m (m = ⌊α⌋ − i) only:
    /// log ½erfc((z0 − j)/(√2σ)) and log |j|. Stored interleaved at 2(m + MaxFractionalTerms), filled on first use.
    /// </summary>
    private (double LogE1, double LogAbsJ) FractionTerms(double[] table, double fraction, int m)
    {
        var at = 2 * (m + MaxFractionalTerms);
        if (double.IsNaN(table[at]))
        {
            var j = fraction + m; // the same double as α − i: both round the same exact value
            table[at] = Math.Log(0.5) + LogMath.LogErfc((_z0 - j) / _sqrt2Sigma);
            table[at + 1] = Math.Log(Math.Abs(j));
        }

        return (table[at], table[at + 1]);
    }

    /// <summary>The table for one fractional part, covering m ∈ (−MaxFractionalTerms, whole].</summary>
    private double[] FractionTable(double fraction, int whole)
    {
        var length = 2 * (whole + MaxFractionalTerms + 1);
        if (!_termsByFraction.TryGetValue(fraction, out var table) || table.Length < length)
        {
            var grown = CreateUnset(length);
            table?.CopyTo(grown, 0);
            _termsByFraction[fraction] = table = grown;
        }

        return table;
    }

    private static double[] CreateUnset(int length)
    {
        var values = new double[length];
        Array.Fill(values, double.NaN);
        return values;
    }

    private static readonly double[] SmallLogs = Enumerable.Range(0, 2049).Select(k => Math.Log(k)).ToArray();

    /// <summary>log k, from a table for the binomial recurrences (same values as Math.Log).</summary>
    private static double LogOf(int k) => k < SmallLogs.Length ? SmallLogs[k] : Math.Log(k);
}
