using MathNet.Numerics.Distributions;

namespace FedLearn.Privacy.Audit;

/// <summary>
/// The scores a canary that was never inserted would get. Analytically: the cosine of a uniformly random unit vector with
/// any fixed vector in d dimensions has mean 0 and variance exactly 1/d, and is close to N(0, 1/d) for large d (Andrew et
/// al. 2024, §3); the largest of T such cosines (all iterates) is fitted with the mean and standard deviation of the
/// maximum of T independent N(0, 1/d). Empirically: fitted to the unseen canaries' scores, which needs no independence
/// or high-dimension assumption and is preferred when K′ ≥ 2 unseen canaries were drawn.
/// </summary>
public static class NullDistribution
{
    public static FittedGaussian FinalModel(int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 2);
        return new(0, 1 / Math.Sqrt(dimension));
    }

    /// <summary>Mean and standard deviation of max(Z₁ … Z_T)/√d, Zᵢ iid N(0, 1), by quadrature of the density T φ(z) Φ(z)^{T−1}.</summary>
    public static FittedGaussian AllIterates(int dimension, int rounds)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 2);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rounds);
        const double step = 1e-3;
        double mass = 0, first = 0, second = 0;
        for (var z = -12.0; z <= 12.0; z += step)
        {
            var density = rounds * Normal.PDF(0, 1, z) * Math.Pow(Normal.CDF(0, 1, z), rounds - 1);
            mass += density * step;
            first += z * density * step;
            second += z * z * density * step;
        }
        var mean = first / mass;
        var std = Math.Sqrt(Math.Max(0, second / mass - mean * mean));
        var scale = 1 / Math.Sqrt(dimension);
        return new(mean * scale, std * scale);
    }
}
