using System.Numerics;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.SecureAggregation.Encoding;

/// <summary>
/// How a real update becomes an element of Z_{2^32}^{D} (Kairouz, Liu &amp; Steinke 2021, "The Distributed Discrete
/// Gaussian Mechanism for Federated Learning with Secure Aggregation", Algorithm 1): clip to L2 norm C, optionally
/// rotate (randomized Hadamard, D = next power of two ≥ d), scale by 1/γ, conditionally round to integers, add
/// discrete Gaussian noise, reduce mod 2^b. Units: "grid" quantities are after scaling by 1/γ.
/// </summary>
/// <param name="Dimension">d, the update length.</param>
/// <param name="ClipNorm">C, the L2 clipping norm.</param>
/// <param name="Gamma">γ, the grid spacing: larger is coarser (more rounding error, fewer bits).</param>
/// <param name="NoiseMultiplier">σ: the honest shares of any <paramref name="MinimumSurvivors"/> survivors' noise carry at
/// least σ times the sensitivity after rounding (σ·γΔ₂ ≥ σ·C); 0 = no noise.</param>
/// <param name="MinimumSurvivors">s_min: the fewest survivors a round unmasks with
/// (<see cref="DistributedNoiseGuarantee.MinimumSurvivors"/>). The noise is sized so that the s_min − c certainly
/// honest ones among them (<see cref="DistributedNoiseGuarantee.CertainlyHonest"/>) carry σ·Δ₂ together.</param>
/// <param name="Cohort">n: the participants the attempt opened with.</param>
/// <param name="Rotate">Apply the randomized Hadamard rotation (pads to a power of two).</param>
/// <param name="Beta">β of conditional rounding: each rounding attempt is kept with probability ≥ 1 − β.</param>
/// <param name="AssumedColluders">c: the colluders the cohort is assumed to hold, all possibly among the survivors; null =
/// c(n) at the default ρ (<see cref="ColluderBound.Colluders(int, double)"/> with
/// <see cref="DistributedNoiseGuarantee.AssumedCorruptionRate"/>).</param>
public sealed record EncodingParameters(
    int Dimension, double ClipNorm, double Gamma, double NoiseMultiplier, int MinimumSurvivors, int Cohort, bool Rotate = true,
    double Beta = 0.6065306597126334 /* e^(−1/2), the value used by Kairouz et al. 2021 */, int? AssumedColluders = null)
{
    /// <summary>c: the colluders the cohort may hold (<see cref="AssumedColluders"/>, or c(n) at the default ρ).</summary>
    public int Colluders => AssumedColluders ?? ColluderBound.Colluders(Cohort, DistributedNoiseGuarantee.AssumedCorruptionRate);

    /// <summary>
    /// h = s_min − c: the shares of the minimum survivors that are certainly honest, the ones the noise is sized for
    /// (<see cref="DistributedNoiseGuarantee.CertainlyHonest"/>; refuses h &lt; 1).
    /// </summary>
    public int HonestShares => DistributedNoiseGuarantee.CertainlyHonest(MinimumSurvivors, Colluders);

    /// <summary>D: the encoded length (a power of two when rotating).</summary>
    public int PaddedDimension => Rotate ? (int)BitOperations.RoundUpToPowerOf2((uint)Dimension) : Dimension;

    /// <summary>
    /// Δ₂ on the grid, the norm bound conditional rounding enforces (Kairouz, Liu &amp; Steinke 2021, Theorem 1 and
    /// Algorithm 1 step "repeat rounding until ‖x̃‖₂ ≤ Δ₂"), with c = C/γ:
    /// Δ₂² = min{ c² + D/4 + √(2 ln(1/β))·(c + √D/2), (c + √D)² }.
    /// The second term holds deterministically (each coordinate moves by &lt; 1); the first w.p. ≥ 1 − β per attempt.
    /// </summary>
    public double GridSensitivity
    {
        get
        {
            var c = ClipNorm / Gamma;
            double d = PaddedDimension;
            var probabilistic = c * c + d / 4 + Math.Sqrt(2 * Math.Log(1 / Beta)) * (c + Math.Sqrt(d) / 2);
            var deterministic = (c + Math.Sqrt(d)) * (c + Math.Sqrt(d));
            return Math.Sqrt(Math.Min(probabilistic, deterministic));
        }
    }

    /// <summary>
    /// The L2 sensitivity to charge the accountant, in update units: γ·Δ₂ ≥ C. It includes the rounding inflation
    /// (≈ γ√D/2 for large c), so a coarse grid visibly costs privacy.
    /// </summary>
    public double EffectiveSensitivity() => Gamma * GridSensitivity;

    /// <summary>
    /// The noise multiplier the round guarantees whoever drops out and whoever is corrupt: s_min survivors, of whom only
    /// the s_min − c certainly honest count, over the rounding-inflated sensitivity
    /// (<see cref="GuaranteedNoiseMultiplier"/>). This is the σ the attempt is charged when it opens, in the ledger and —
    /// with q = 1, no amplification — by each participant for one contributed attempt against the coordinator.
    /// ≥ σ by construction of <see cref="GridNoiseVariance"/>, up to the τ term (negligible at σ_int² ≥ 8).
    /// </summary>
    public double EffectiveNoiseMultiplier() => GuaranteedNoiseMultiplier(MinimumSurvivors);

    /// <summary>
    /// The noise multiplier of a sum that <paramref name="survivors"/> of the cohort's shares went into: only
    /// survivors − c shares certainly count (the corrupt may all be among the survivors and subtract theirs), and the
    /// sum of discrete Gaussians is charged with its τ term (Kairouz, Liu &amp; Steinke 2021, Prop. 14; see
    /// <see cref="DistributedNoiseGuarantee"/>). 0 when the round adds no noise.
    /// </summary>
    /// <exception cref="ArgumentException">Survivors outside 1..n, or none certainly honest.</exception>
    public double GuaranteedNoiseMultiplier(int survivors)
    {
        if (survivors < 1 || survivors > Cohort)
        {
            throw new ArgumentException($"{survivors} survivors of a cohort of {Cohort} is impossible.", nameof(survivors));
        }

        return NoiseMultiplier == 0
            ? 0
            : DistributedNoiseGuarantee.NoiseMultiplier(
                GridSensitivity, GridNoiseVariance, DistributedNoiseGuarantee.CertainlyHonest(survivors, Colluders), PaddedDimension);
    }

    /// <summary>
    /// Upper bound on the total variation distance between the noise <paramref name="participants"/> participants add in
    /// one round (D coordinates each) and exact N_Z(0, σ_int²) draws: participants × D × the sampler's per-coordinate
    /// bound (≤ 2^−70). FedLearn.Privacy's SamplerResidue turns it into the δ it costs (docs/secure-aggregation.md).
    /// </summary>
    public double NoiseStatisticalDistance(int participants) =>
        GridNoiseVariance == 0
            ? 0
            : participants * (double)PaddedDimension * DiscreteGaussianNoise.StatisticalDistancePerCoordinate(GridNoiseVariance);

    /// <summary>
    /// Per-participant σ_int² on the grid: (σ·Δ₂)² / (s_min − c), rounded up to an integer for the sampler and at least
    /// <see cref="DistributedNoiseGuarantee.MinimumShareVariance"/> (more noise, never less). Sized from Δ₂, the
    /// sensitivity after rounding, so the rounding inflation is covered by noise rather than by a calibration margin,
    /// and from the honest shares only, so corrupt survivors cannot leave the sum short of σ.
    /// </summary>
    public ulong GridNoiseVariance
    {
        get
        {
            if (NoiseMultiplier == 0)
            {
                return 0;
            }

            var std = NoiseMultiplier * GridSensitivity;
            var variance = Math.Ceiling(std * std / HonestShares);
            return Math.Max(DistributedNoiseGuarantee.MinimumShareVariance, (ulong)variance);
        }
    }

    /// <summary>
    /// Bits b so that the sum of n encoded vectors never wraps mod 2^b, except with probability 2^−tailBits:
    /// each |x̃_j| ≤ ‖x̃‖₂ ≤ Δ₂ (enforced), and the noise sum is √n·σ_int-subgaussian (a discrete Gaussian is
    /// σ-subgaussian, Canonne et al. 2020, Cor. 9), so over D coordinates |Σ noise_j| ≤ σ_int·√(2n·ln(2D·2^tailBits)).
    /// b = 1 + ⌈log2(n·Δ₂ + that + 1)⌉ (one sign bit: values are two's complement).
    /// </summary>
    public int RequiredModulusBits(int participants, int tailBits = 40)
    {
        var noise = Math.Sqrt(GridNoiseVariance) * Math.Sqrt(2.0 * participants * (Math.Log(2.0 * PaddedDimension) + tailBits * Math.Log(2)));
        return 1 + (int)Math.Ceiling(Math.Log2(participants * GridSensitivity + noise + 1));
    }
}
