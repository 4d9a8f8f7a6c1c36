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
/// min{ αΔ²/(2nσ²) + τD, (α/2)·(Δ/(√n·σ) + τ√D)² }, τ = 10·Σ_{k=1}^{n−1} exp(−2π²σ²·k/(k+1)). The τD term is not
/// scaled by α/2, so for α ≥ 1 the first term is at most (α/2)·(Δ²/(nσ²) + 2τD); the whole bound is therefore at most
/// (α/2)·min{ Δ²/(nσ²) + 2τD, (Δ/(√n·σ) + τ√D)² }, the RDP curve α/(2σ_eff²) of a Gaussian mechanism with
/// σ_eff = 1/√min{…}, which this class returns (a Gaussian with that noise multiplier and sensitivity 1 has exactly
/// that curve, Mironov 2017, Prop. 7). (The accountants also use orders below 2, where (α/2)·τD alone would be short.)
/// Shares of corrupt participants do not count: they may have colluded with whoever reads the sum and subtract their
/// own noise. The threat model bounds them at a fraction ρ of the connected population, so a cohort of n holds at most
/// c(n) of them except with probability δ_c (<see cref="ColluderBound"/>), and a corrupt participant never drops out (it
/// wants the sum), so of s survivors only s − c(n) are certainly honest (<see cref="CertainlyHonest"/>) — not
/// ⌊(1 − ρ)·s⌋, which assumes the corrupt fraction among the survivors is ρ and overcounts. Kairouz, Liu &amp; Steinke 2021, §5, likewise count the
/// noise of the clients that are not corrupt.
/// </remarks>
public static class DistributedNoiseGuarantee
{
    /// <summary>
    /// ρ: the default fraction of the participants connected at a draw that may collude with the coordinator (a set fixed
    /// before the session). A cohort of n is assumed to hold at most <see cref="ColluderBound.Colluders(int, double)"/> of
    /// them (c(n), exceeded with probability at most δ_c per attempt), and only the others' noise is counted. Ledgers of
    /// accounting versions 3 to 5 instead assumed at most ⌊ρ·n⌋ per cohort (<see cref="HonestShares"/>), a bound no
    /// adversary is held to (review-10 S2).
    /// </summary>
    public const double AssumedCorruptionRate = 0.05;

    /// <summary>
    /// The least per-participant σ_int² a round uses. At σ² ≥ 8, τ ≤ 10·n·exp(−π²·8) ≈ 10^−33·n, so the τ terms
    /// stay far below double precision of the noise multiplier for any cohort and dimension (the residue is still
    /// charged: <see cref="NoiseMultiplier"/> includes τ exactly).
    /// </summary>
    public const ulong MinimumShareVariance = 8;

    /// <summary>
    /// The default dropout allowance a: the fraction of a cohort that may fail to deliver its masked input while the attempt
    /// still unmasks. Twice the 5% dropout the SecAgg+ graph is chosen for (<see cref="MinimumSurvivors"/>;
    /// docs/secure-aggregation.md compares the noise and the aborts at n = 10, 100, 1000 for other values).
    /// </summary>
    public const double DefaultDropoutAllowance = 0.1;

    /// <summary>
    /// s − ⌊ρ·n⌋: the survivors whose noise counted in ledgers of accounting versions 3 to 5, which assumed up to ⌊ρ·n⌋
    /// corrupt participants in each cohort (Bell et al. 2020, §3), all of them possibly among the survivors. Kept to verify
    /// those ledgers as they were sealed; rounds now credit s − c(n) (<see cref="CertainlyHonest"/>).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than one share would count, survivors outside 1..cohort, or ρ outside [0, 1).</exception>
    public static int HonestShares(int survivors, int cohort, double corruptionRate = AssumedCorruptionRate)
    {
        if (!(corruptionRate is >= 0 and < 1))
        {
            throw new ArgumentException($"The corruption rate must be in [0, 1), got {corruptionRate}.", nameof(corruptionRate));
        }
        if (survivors < 1 || survivors > cohort)
        {
            throw new ArgumentException($"{survivors} survivors of a cohort of {cohort} is impossible.", nameof(survivors));
        }

        var honest = survivors - CorruptParticipants(cohort, corruptionRate);
        if (honest < 1)
        {
            throw new ArgumentException(
                $"With {survivors} survivors of a cohort of {cohort} and corruption rate {corruptionRate}, all survivors may be corrupt: no share's noise can be counted.",
                nameof(survivors));
        }

        return honest;
    }

    /// <summary>
    /// s − c: the survivors whose noise certainly counts when <paramref name="survivors"/> delivered their masked inputs and
    /// the cohort holds at most <paramref name="colluders"/> colluders (c(n), <see cref="ColluderBound"/>): a colluder never
    /// drops out (it wants the sum), so all of them may be among the survivors.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than one share would count, or a negative count.</exception>
    public static int CertainlyHonest(int survivors, int colluders)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(colluders);
        ArgumentOutOfRangeException.ThrowIfLessThan(survivors, 1);
        var honest = survivors - colluders;
        return honest >= 1
            ? honest
            : throw new ArgumentException(
                $"With {survivors} survivors and up to {colluders} colluders among them, all survivors may be colluders: no share's noise can be counted.",
                nameof(survivors));
    }

    /// <summary>⌊ρ·n⌋, the per-cohort corruption bound of accounting versions 3 to 5 (a hair of slack rounds 0.05·20 up to 1, never down to 0).</summary>
    public static int CorruptParticipants(int cohort, double corruptionRate = AssumedCorruptionRate)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(cohort, 1);
        return (int)Math.Floor((corruptionRate * cohort) + 1e-9);
    }

    /// <summary>
    /// s_min = max(t, m, n − ⌈a·n⌉): the fewest masked inputs an attempt over a cohort of n unmasks with — never below the
    /// Shamir threshold t, the round's minimum m, or the cohort less the ⌈a·n⌉ dropouts the allowance a tolerates (at
    /// least one whenever a &gt; 0, so small cohorts survive a single dropout). The noise is sized for its
    /// s_min − c(n) certainly honest shares (<see cref="CertainlyHonest"/>; the planner refuses a cohort that leaves none),
    /// and the coordinator aborts an attempt with fewer survivors before any unmask share is asked for, so every released
    /// sum carries at least that noise.
    /// </summary>
    /// <exception cref="ArgumentException">An allowance outside [0, 1), or t or m outside 1..n.</exception>
    public static int MinimumSurvivors(int cohort, int threshold, int minimum, double dropoutAllowance = DefaultDropoutAllowance)
    {
        if (!(dropoutAllowance is >= 0 and < 1))
        {
            throw new ArgumentException($"The dropout allowance must be in [0, 1), got {dropoutAllowance}.", nameof(dropoutAllowance));
        }
        if (threshold < 1 || threshold > cohort || minimum > cohort)
        {
            throw new ArgumentException($"A cohort of {cohort} cannot meet threshold {threshold} and minimum {minimum}.", nameof(cohort));
        }

        // The slack keeps 0.1·30 = 3.0000000000000004 from allowing 4 dropouts.
        var allowed = (int)Math.Ceiling((dropoutAllowance * cohort) - 1e-9);
        return Math.Max(Math.Max(threshold, minimum), cohort - allowed);
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
    /// <paramref name="dimension"/> coordinates: 1/√min{ Δ²/(nσ²) + 2τD, (Δ/(√n·σ) + τ√D)² } (KLS 2021, Prop. 14, with
    /// τD doubled so that the Gaussian curve bounds the proposition's at every order α ≥ 1).
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
        var first = (ratio * ratio) + (2 * tau * dimension);
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
