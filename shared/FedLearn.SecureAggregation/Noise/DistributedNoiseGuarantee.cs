namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// What the distributed discrete Gaussian guarantees: the noise multiplier of a secure sum in which survivors each added
/// an independent N_Z(0, σ_int²) share, counting only the shares of honest participants. One function, so the
/// coordinator (budget, ledger) and each participant (its own ε against the coordinator) compute the same figure.
/// </summary>
/// <remarks>
/// The sum of n independent N_Z(0, σ²) is not itself a discrete Gaussian. Kairouz, Liu &amp; Steinke 2021, "The
/// Distributed Discrete Gaussian Mechanism for Federated Learning with Secure Aggregation", Proposition 14 (σ ≥ 1/2,
/// integer inputs with L2 sensitivity Δ in dimension D): it satisfies Rényi DP of every order α at
/// (α/2)·min{ Δ²/(nσ²) + τD, (Δ/(√n·σ) + τ√D)² }, τ = 10·Σ_{k=1}^{n−1} exp(−2π²σ²·k/(k+1)).
/// That is the RDP curve α/(2σ_eff²) of a Gaussian mechanism with σ_eff = 1/√min{…}, which this class returns
/// (a Gaussian with that noise multiplier and sensitivity 1 has exactly that curve, Mironov 2017, Prop. 7).
/// Shares of corrupt participants do not count: they may have colluded with whoever reads the sum and subtract their
/// own noise, so of s survivors only ⌊(1 − ρ)·s⌋ are counted, ρ the corruption rate the SecAgg+ graph is chosen for.
/// </remarks>
public static class DistributedNoiseGuarantee
{
    /// <summary>
    /// ρ: the fraction of a cohort assumed corrupt (colluding with the coordinator or a reader of the model). The SecAgg+
    /// graph is chosen to be secure against it (Bell et al. 2020, §3) and only the others' noise is counted.
    /// </summary>
    public const double AssumedCorruptionRate = 0.05;

    /// <summary>
    /// The least per-participant σ_int² a round uses. At σ² ≥ 8, τ ≤ 10·n·exp(−π²·8) ≈ 10^−33·n, so the τ terms
    /// stay far below double precision of the noise multiplier for any cohort and dimension (the residue is still
    /// charged: <see cref="NoiseMultiplier"/> includes τ exactly).
    /// </summary>
    public const ulong MinimumShareVariance = 8;

    /// <summary>⌊(1 − ρ)·survivors⌋: the survivors whose noise counts.</summary>
    /// <exception cref="ArgumentException">Fewer than one share would count, or ρ is outside [0, 1).</exception>
    public static int HonestShares(int survivors, double corruptionRate = AssumedCorruptionRate)
    {
        if (!(corruptionRate is >= 0 and < 1))
        {
            throw new ArgumentException($"The corruption rate must be in [0, 1), got {corruptionRate}.", nameof(corruptionRate));
        }

        // A hair of slack so (1 − 0.05)·20 = 19 is not floored to 18 by binary rounding.
        var honest = (int)Math.Floor(((1 - corruptionRate) * survivors) + 1e-9);
        if (honest < 1)
        {
            throw new ArgumentException(
                $"With {survivors} survivors and corruption rate {corruptionRate}, no survivor's noise can be counted.", nameof(survivors));
        }

        return honest;
    }

    /// <summary>τ of Kairouz, Liu &amp; Steinke 2021, Prop. 14 for n shares of N_Z(0, σ²): 10·Σ_{k=1}^{n−1} exp(−2π²σ²·k/(k+1)).</summary>
    public static double Tau(int shares, double shareVariance)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shares, 1);
        RequireShareVariance(shareVariance);
        double sum = 0;
        for (var k = 1; k < shares; k++)
        {
            var term = Math.Exp(-2 * Math.PI * Math.PI * shareVariance * k / (k + 1));
            sum += term;
            if (term == 0)
            {
                break; // the terms fall with k (towards exp(−2π²σ²)): once one underflows, so do the rest
            }
        }

        return 10 * sum;
    }

    /// <summary>
    /// σ_eff of the sum of <paramref name="honestShares"/> shares of N_Z(0, <paramref name="shareVariance"/>) on the
    /// grid, against grid sensitivity <paramref name="gridSensitivity"/> (Δ₂ after rounding) in
    /// <paramref name="dimension"/> coordinates: 1/√min{ Δ²/(nσ²) + τD, (Δ/(√n·σ) + τ√D)² } (KLS 2021, Prop. 14).
    /// </summary>
    public static double NoiseMultiplier(double gridSensitivity, double shareVariance, int honestShares, int dimension)
    {
        if (!(gridSensitivity > 0 && double.IsFinite(gridSensitivity)))
        {
            throw new ArgumentException($"The grid sensitivity must be positive and finite, got {gridSensitivity}.", nameof(gridSensitivity));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(honestShares, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        RequireShareVariance(shareVariance);
        var tau = Tau(honestShares, shareVariance);
        var ratio = gridSensitivity / Math.Sqrt(honestShares * shareVariance); // Δ/(√n·σ)
        var first = (ratio * ratio) + (tau * dimension);
        var second = ratio + (tau * Math.Sqrt(dimension));
        return 1 / Math.Sqrt(Math.Min(first, second * second));
    }

    private static void RequireShareVariance(double shareVariance)
    {
        // Prop. 14 needs σ ≥ 1/2.
        if (!(shareVariance >= 0.25 && double.IsFinite(shareVariance)))
        {
            throw new ArgumentException($"The per-participant noise variance must be finite and at least 1/4, got {shareVariance}.", nameof(shareVariance));
        }
    }
}
