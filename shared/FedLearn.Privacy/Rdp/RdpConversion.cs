using FedLearn.Privacy.Numerics;

namespace FedLearn.Privacy.Rdp;

/// <summary>Conversions from an RDP curve (orders α_i, values r_i) to (ε, δ)-DP.</summary>
internal static class RdpConversion
{
    // Below this order the improved bound is numerically unstable and no better than the KL bound
    // (dp_accounting uses the same cut-off).
    private const double MinOrderForImprovedBound = 1.01;

    /// <summary>
    /// ε(δ) = min_α [ r_α + log1p(−1/α) − (log δ + log α)/(α − 1) ], never below 0.
    /// Balle et al. 2020, "Hypothesis Testing Interpretations and Rényi DP", Theorem 21;
    /// Canonne, Kamath &amp; Steinke 2020, "The Discrete Gaussian for DP", Proposition 12 (arXiv v4).
    /// If δ² + e^{−r} − 1 &gt; 0, then δ ≥ sqrt(1 − e^{−KL}) ≥ TV distance and ε = 0 suffices
    /// (Pinsker/Bretagnolle-Huber style bound used by dp_accounting; KL ≤ r_α for α ≥ 1).
    /// </summary>
    public static double EpsilonFromRdp(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double delta)
    {
        var best = double.PositiveInfinity;
        for (var i = 0; i < orders.Count; i++)
        {
            var a = orders[i];
            var r = rdp[i];
            if (double.IsNaN(r))
            {
                continue; // an order whose RDP could not be computed certifies nothing (fail closed: ε stays +∞)
            }

            double eps;
            if (r < 0)
            {
                eps = 0.0;
            }
            else if (delta * delta + LogMath.ExpM1(-r) > 0)
            {
                eps = 0.0;
            }
            else if (a > MinOrderForImprovedBound)
            {
                eps = r + LogMath.Log1P(-1.0 / a) - Math.Log(delta * a) / (a - 1.0);
            }
            else
            {
                eps = double.PositiveInfinity;
            }

            best = Math.Min(best, eps);
        }

        return Math.Max(0.0, best);
    }

    /// <summary>
    /// δ(ε) = min_α min( sqrt(1 − e^{−r_α}), exp((α − 1)(r_α − ε + log1p(−1/α)) − log α) ), capped at 1.
    /// The second term is the inverse of <see cref="EpsilonFromRdp"/>: Canonne, Kamath &amp; Steinke 2020,
    /// Proposition 12; dp_accounting <c>compute_delta</c>.
    /// </summary>
    public static double DeltaFromRdp(IReadOnlyList<double> orders, IReadOnlyList<double> rdp, double epsilon)
    {
        var bestLog = double.PositiveInfinity;
        for (var i = 0; i < orders.Count; i++)
        {
            var a = orders[i];
            var r = rdp[i];
            if (double.IsNaN(r))
            {
                continue; // certifies nothing: δ stays 1
            }

            double logDelta;
            if (r <= 0)
            {
                logDelta = double.NegativeInfinity;
            }
            else
            {
                logDelta = 0.5 * LogMath.Log1P(-Math.Exp(-r));
            }

            if (a > MinOrderForImprovedBound)
            {
                var bound = (a - 1.0) * (r - epsilon + LogMath.Log1P(-1.0 / a)) - Math.Log(a);
                logDelta = Math.Min(logDelta, bound);
            }

            bestLog = Math.Min(bestLog, logDelta);
        }

        return Math.Min(Math.Exp(bestLog), 1.0);
    }
}
