using MathNet.Numerics.Distributions;

namespace FedLearn.Privacy.Audit;

/// <summary>
/// The (ε, δ) of the mechanism whose output is one draw from P = N(m₁, s₁²) when the canary is present and from
/// Q = N(m₀, s₀²) when it is not: the "implied Gaussian mechanism" of Andrew et al. 2024 ("One-shot Empirical Privacy
/// Estimation for Federated Learning", §3, where P is fitted to the inserted canaries' cosines and Q is the null). For
/// equal variances this is the Gaussian mechanism with μ = |m₁ − m₀|/s, and δ(ε) is Balle &amp; Wang 2018, Theorem 8;
/// for unequal variances the privacy profile is computed exactly below.
/// </summary>
public static class GaussianPairPrivacy
{
    /// <summary>Larger ε are reported as +∞: no audit of a real session measures more, and it flags any bound.</summary>
    public const double MaxEpsilon = 200;

    /// <summary>
    /// δ(ε) = max(δ_{P‖Q}(ε), δ_{Q‖P}(ε)), δ_{P‖Q}(ε) = sup_S P(S) − e^ε Q(S) = P(L &gt; ε) − e^ε Q(L &gt; ε) with the privacy
    /// loss L = ln(p/q) (the hockey-stick divergence; Balle, Barthe &amp; Gaboardi 2018, §2). For two normals L is quadratic in
    /// the output, so {L &gt; ε} is an interval, a half-line or the complement of an interval, and both masses are normal CDFs.
    /// </summary>
    public static double Delta(FittedGaussian p, FittedGaussian q, double epsilon) =>
        Math.Max(OneWayDelta(p, q, epsilon), OneWayDelta(q, p, epsilon));

    /// <summary>The smallest ε ≥ 0 with <see cref="Delta"/>(ε) ≤ δ, by bisection (δ(ε) is non-increasing); +∞ past <see cref="MaxEpsilon"/>.</summary>
    public static double Epsilon(FittedGaussian p, FittedGaussian q, double delta)
    {
        if (!(delta > 0 && delta < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "δ must be in (0, 1).");
        }
        if (!(p.Std > 0 && q.Std > 0) || !double.IsFinite(p.Mean) || !double.IsFinite(q.Mean) || !double.IsFinite(p.Std) || !double.IsFinite(q.Std))
        {
            // A degenerate fit (every score equal) distinguishes perfectly as far as the fit can tell: fail closed.
            return double.PositiveInfinity;
        }
        if (Delta(p, q, 0) <= delta)
        {
            return 0;
        }
        if (Delta(p, q, MaxEpsilon) > delta)
        {
            return double.PositiveInfinity;
        }
        double lo = 0, hi = MaxEpsilon;
        for (var i = 0; i < 100 && hi - lo > 1e-10 * Math.Max(1, hi); i++)
        {
            var mid = 0.5 * (lo + hi);
            if (Delta(p, q, mid) > delta)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return hi;
    }

    private static double OneWayDelta(FittedGaussian p, FittedGaussian q, double epsilon)
    {
        // L(x) − ε = a x² + b x + c.
        var a = 1 / (2 * q.Std * q.Std) - 1 / (2 * p.Std * p.Std);
        var b = p.Mean / (p.Std * p.Std) - q.Mean / (q.Std * q.Std);
        var c = q.Mean * q.Mean / (2 * q.Std * q.Std) - p.Mean * p.Mean / (2 * p.Std * p.Std) + Math.Log(q.Std / p.Std) - epsilon;
        var pMass = 0.0;
        var qMass = 0.0;
        void AddInterval(double from, double to)
        {
            pMass += Mass(p, from, to);
            qMass += Mass(q, from, to);
        }

        var scale = Math.Abs(b) + Math.Abs(c) + 1;
        if (Math.Abs(a) <= 1e-12 * scale)
        {
            // Equal variances: L is linear.
            if (b > 0)
            {
                AddInterval(-c / b, double.PositiveInfinity);
            }
            else if (b < 0)
            {
                AddInterval(double.NegativeInfinity, -c / b);
            }
            else if (c > 0)
            {
                AddInterval(double.NegativeInfinity, double.PositiveInfinity);
            }
        }
        else
        {
            var discriminant = b * b - 4 * a * c;
            if (discriminant <= 0)
            {
                if (a > 0)
                {
                    AddInterval(double.NegativeInfinity, double.PositiveInfinity);
                }
            }
            else
            {
                var root = Math.Sqrt(discriminant);
                var x1 = (-b - root) / (2 * a);
                var x2 = (-b + root) / (2 * a);
                var (lo, hi) = x1 < x2 ? (x1, x2) : (x2, x1);
                if (a > 0)
                {
                    AddInterval(double.NegativeInfinity, lo);
                    AddInterval(hi, double.PositiveInfinity);
                }
                else
                {
                    AddInterval(lo, hi);
                }
            }
        }
        return Math.Max(0, pMass - Math.Exp(epsilon) * qMass);
    }

    /// <summary>N(m, s²)'s mass on (from, to), taken from the nearer tail so small masses keep their precision.</summary>
    private static double Mass(FittedGaussian g, double from, double to)
    {
        var zFrom = (from - g.Mean) / g.Std;
        var zTo = (to - g.Mean) / g.Std;
        return zFrom > 0
            ? Normal.CDF(0, 1, -zFrom) - Normal.CDF(0, 1, -zTo)
            : Normal.CDF(0, 1, zTo) - Normal.CDF(0, 1, zFrom);
    }
}
