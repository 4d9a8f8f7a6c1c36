using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Privacy;

/// <summary>
/// Adaptive clipping (Andrew, Thakkar, McMahan &amp; Ramaswamy 2021, "Differentially Private Learning with Adaptive
/// Clipping", NeurIPS): the participant-level clip norm C follows a target quantile γ of the update norms. Each participant
/// reports whether its update was within C; the coordinator releases the noisy count of those reports next to the noisy
/// sum of clipped updates and moves C geometrically towards the quantile. What is charged is the joint release.
/// </summary>
/// <remarks>
/// <para><b>The report</b> (the paper's §3 offsets the bit to b − ½; here it is doubled to an integer). A participant with
/// update Δ reports r = +1 if 0 &lt; ‖Δ‖ ≤ C, −1 if ‖Δ‖ &gt; C, and 0 if Δ is the zero vector. The zero update reports 0 so
/// that the zero-out neighbour (D1: data whose every update is zero) contributes the zero vector to every coordinate of the
/// release, the clipped update and the report alike. Any real report then differs from its zero-out neighbour's by at most
/// 1 (in units of b: ½, the paper's sensitivity of b − ½ under add/remove). Had the zero update reported its honest bit
/// b = 1, a participant whose update is clipped (b = 0) would differ from its zero-out neighbour by 1 in b, and the count's
/// sensitivity would double. The cost is a bias: a zero update counts as half clipped.</para>
/// <para><b>The joint mechanism</b> (Andrew et al. 2021, §3 and Theorem 1). The coordinator releases Σ clip(Δᵢ) + N(0,
/// (z_Δ·C)²·I) and Σ rᵢ + N(0, (2σ_b)²), σ_b being the standard deviation on the count in units of b. Scaling the first by
/// 1/(z_Δ·C) and the second by 1/(2σ_b) makes both noises unit Gaussians; a participant then moves the scaled release by a
/// vector of squared norm at most ‖clip(Δ)‖²/(z_Δ·C)² + r²/(2σ_b)² ≤ z_Δ⁻² + (2σ_b)⁻², reached by an update clipped
/// (norm C, r = −1). So the pair is one Gaussian mechanism with sensitivity 1 and noise multiplier
/// z = (z_Δ⁻² + (2σ_b)⁻²)^(−1/2), the paper's relation, and the accountants compose z (RDP α/(2z²), Mironov 2017, Prop. 7;
/// the Gaussian's PLD; with discrete noise on each part, Canonne, Kamath &amp; Steinke 2020, Thm 4, and the RDP of the
/// parts adds). To keep a budget planned at z, the sum is noised at z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2) &gt; z, which needs
/// 2σ_b &gt; z.</para>
/// <para><b>The update</b> (Andrew et al. 2021, §2, the geometric update of Algorithm 1): with the released count
/// estimate b̃ = (noisy Σ r + n)/(2n) of the fraction of the n aggregated updates within C, C ← C·exp(−η_C·(b̃ − γ)). b̃ is
/// clamped to [0, 1] (post-processing), so one round moves C by at most a factor exp(η_C). It is a function of released
/// quantities only (the noisy count and the published count n), so it costs nothing more: the next round's C is public.</para>
/// </remarks>
public static class AdaptiveClipping
{
    /// <summary>The L2 sensitivity of the report r under zero-out, in units of r (±1 against 0; ½ in units of the bit b).</summary>
    public const double ReportSensitivity = 1;

    /// <summary>
    /// z of the joint release (Andrew et al. 2021, §3): (z_Δ⁻² + z_r⁻²)^(−1/2) with z_r the noise multiplier of the count
    /// against its sensitivity (2σ_b for standard deviation σ_b in units of b).
    /// </summary>
    /// <exception cref="ArgumentException">A multiplier that is not a finite number &gt; 0.</exception>
    public static double JointNoiseMultiplier(double updateNoiseMultiplier, double reportNoiseMultiplier)
    {
        RequirePositive(updateNoiseMultiplier, nameof(updateNoiseMultiplier));
        RequirePositive(reportNoiseMultiplier, nameof(reportNoiseMultiplier));
        return 1 / Math.Sqrt((1 / (updateNoiseMultiplier * updateNoiseMultiplier)) + (1 / (reportNoiseMultiplier * reportNoiseMultiplier)));
    }

    /// <summary>z_r = 2σ_b: the count's noise multiplier against the report's sensitivity (σ_b in units of the bit b).</summary>
    public static double ReportNoiseMultiplier(double bitNoiseStddev)
    {
        RequirePositive(bitNoiseStddev, nameof(bitNoiseStddev));
        return 2 * bitNoiseStddev;
    }

    /// <summary>
    /// z_Δ = (z⁻² − (2σ_b)⁻²)^(−1/2): the noise multiplier the sum of clipped updates needs so that the joint release has
    /// noise multiplier <paramref name="jointNoiseMultiplier"/> (Andrew et al. 2021, §3).
    /// </summary>
    /// <exception cref="ArgumentException">2σ_b ≤ z (the count alone would spend the budget), or a degenerate parameter.</exception>
    public static double UpdateNoiseMultiplier(double jointNoiseMultiplier, double bitNoiseStddev)
    {
        RequirePositive(jointNoiseMultiplier, nameof(jointNoiseMultiplier));
        var report = ReportNoiseMultiplier(bitNoiseStddev);
        var remaining = (1 / (jointNoiseMultiplier * jointNoiseMultiplier)) - (1 / (report * report));
        // 2σ_b must exceed z by a margin the subtraction can resolve; otherwise z_Δ is infinite or imaginary.
        if (!(remaining > 1e-12 / (jointNoiseMultiplier * jointNoiseMultiplier)))
        {
            throw new ArgumentException(
                $"The clipped-count noise σ_b = {bitNoiseStddev:G4} is too small for the noise multiplier {jointNoiseMultiplier:G4}: the joint release " +
                $"needs 2σ_b > σ (Andrew et al. 2021, §3); raise bit_noise_stddev above {jointNoiseMultiplier / 2:G4} (the paper suggests about " +
                "the expected cohort / 20).", nameof(bitNoiseStddev));
        }
        return 1 / Math.Sqrt(remaining);
    }

    /// <summary>
    /// The integer variance of the discrete Gaussian the coordinator adds to Σ r in central-noise mode: ⌈(2σ_b)²⌉, so the
    /// count's noise multiplier √σ² ≥ 2σ_b (Canonne, Kamath &amp; Steinke 2020, Thm 4: N_Z(0, σ²) on an integer query of
    /// sensitivity 1 has the Gaussian's concentrated-DP bound).
    /// </summary>
    public static long CentralReportVariance(double bitNoiseStddev)
    {
        var multiplier = ReportNoiseMultiplier(bitNoiseStddev);
        var variance = Math.Ceiling(multiplier * multiplier);
        if (!(variance <= 1L << 48))
        {
            throw new ArgumentException($"The clipped-count noise σ_b = {bitNoiseStddev:G4} is too large to draw.", nameof(bitNoiseStddev));
        }
        return Math.Max(1, (long)variance);
    }

    /// <summary>
    /// Secure aggregation: the variance of each participant's discrete Gaussian share on its report, sized like the update's
    /// shares (docs/secure-aggregation.md) so that the h certainly honest shares of the minimum survivors carry at least
    /// 2σ_b against the report's sensitivity 1: max(8, ⌈(2σ_b)²/h⌉).
    /// </summary>
    public static ulong SecureReportShareVariance(double bitNoiseStddev, int honestShares)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(honestShares, 1);
        var multiplier = ReportNoiseMultiplier(bitNoiseStddev);
        var variance = Math.Ceiling(multiplier * multiplier / honestShares);
        if (!(variance <= DiscreteGaussianSampler.MaxSigmaSquared))
        {
            throw new ArgumentException($"The clipped-count noise σ_b = {bitNoiseStddev:G4} is too large to draw.", nameof(bitNoiseStddev));
        }
        return Math.Max(DistributedNoiseGuarantee.MinimumShareVariance, (ulong)variance);
    }

    /// <summary>
    /// Secure aggregation: the joint noise multiplier one attempt is charged (Andrew et al. 2021, §3): the update sum's
    /// σ_eff over the certainly honest shares of the minimum survivors (<see cref="EncodingParameters.EffectiveNoiseMultiplier"/>)
    /// and the report sum's, the same h shares of <see cref="SecureReportShareVariance"/> against sensitivity 1 in one
    /// coordinate (Kairouz, Liu &amp; Steinke 2021, Prop. 14 with its τ term). The two parts' Rényi DP adds, so
    /// (σ_u⁻² + σ_r⁻²)^(−1/2) is the Gaussian multiplier whose RDP curve bounds the attempt. Coordinator and participants
    /// compute it with this one function from the task's public parameters.
    /// </summary>
    public static double SecureJointNoiseMultiplier(EncodingParameters encoding, double bitNoiseStddev)
    {
        ArgumentNullException.ThrowIfNull(encoding);
        var honest = encoding.HonestShares; // s_min − c(n), the shares the update noise is sized for
        return JointNoiseMultiplier(encoding.EffectiveNoiseMultiplier(), SecureReportNoiseMultiplier(SecureReportShareVariance(bitNoiseStddev, honest), honest));
    }

    /// <summary>σ_eff of the sum of <paramref name="honestShares"/> report shares of N_Z(0, variance) (Prop. 14, Δ = 1, D = 1).</summary>
    public static double SecureReportNoiseMultiplier(double shareVariance, int honestShares) =>
        DistributedNoiseGuarantee.NoiseMultiplier(ReportSensitivity, shareVariance, honestShares, 1);

    /// <summary>
    /// The report of an update of L2 norm <paramref name="norm"/> against clip norm C (see the class remarks): +1 within C,
    /// −1 above, 0 for the zero update (norm 0, or a non-finite result replaced by it).
    /// </summary>
    public static int Report(double norm, double clipNorm) =>
        !double.IsFinite(norm) || norm == 0 ? 0 : norm <= clipNorm ? 1 : -1;

    /// <summary>
    /// b̃ = (noisy Σ r + n)/(2n): the released estimate of the fraction of the n aggregated updates within C (a report of
    /// +1 is b = 1, −1 is b = 0). Not clamped.
    /// </summary>
    public static double UnclippedCount(double noisyReportSum, int aggregated) => (noisyReportSum + aggregated) / 2;

    /// <summary>
    /// The next round's clip norm, C·exp(−η_C·(b̃ − γ)) with b̃ = noisy unclipped count / n clamped to [0, 1] (Andrew et
    /// al. 2021, §2, geometric update). Without a release (<paramref name="noisyUnclippedCount"/> null, or n = 0) C stays.
    /// </summary>
    /// <exception cref="ArgumentException">A degenerate parameter or a result that is not a finite number &gt; 0.</exception>
    public static double NextClipNorm(double clipNorm, double? noisyUnclippedCount, int aggregated, double targetQuantile, double learningRate)
    {
        RequirePositive(clipNorm, nameof(clipNorm));
        if (noisyUnclippedCount is not { } count || aggregated <= 0)
        {
            return clipNorm;
        }
        if (!double.IsFinite(count))
        {
            throw new ArgumentException($"The noisy unclipped count must be finite, got {count}.", nameof(noisyUnclippedCount));
        }
        var fraction = Math.Clamp(count / aggregated, 0, 1);
        var next = clipNorm * Math.Exp(-learningRate * (fraction - targetQuantile));
        if (!(next > 0 && double.IsFinite(next)))
        {
            throw new ArgumentException($"The clip norm update gives {next} (C = {clipNorm}, η_C = {learningRate}, γ = {targetQuantile}).");
        }
        return next;
    }

    /// <summary>
    /// What is wrong with an adaptive-clipping configuration, or nothing: γ in (0, 1), η_C in (0, 10], C₀ and σ_b finite
    /// and &gt; 0 (NaN fails every check).
    /// </summary>
    public static IEnumerable<string> Problems(double targetQuantile, double learningRate, double initialClipNorm, double bitNoiseStddev, string prefix)
    {
        if (!(targetQuantile > 0 && targetQuantile < 1))
        {
            yield return $"{prefix}.target_quantile must be in (0, 1); got {targetQuantile}";
        }
        if (!(learningRate > 0 && learningRate <= MaxLearningRate))
        {
            yield return $"{prefix}.learning_rate must be in (0, {MaxLearningRate}]; got {learningRate}";
        }
        if (!(initialClipNorm > 0 && double.IsFinite(initialClipNorm)))
        {
            yield return $"{prefix}.initial_clip_norm must be a finite number > 0; got {initialClipNorm}";
        }
        if (!(bitNoiseStddev > 0 && double.IsFinite(bitNoiseStddev)))
        {
            yield return $"{prefix}.bit_noise_stddev must be a finite number > 0; got {bitNoiseStddev}";
        }
    }

    /// <summary>η_C above this moves C by more than e^10 per round: surely a mistake.</summary>
    public const double MaxLearningRate = 10;

    private static void RequirePositive(double value, string name)
    {
        if (!(value > 0 && double.IsFinite(value)))
        {
            throw new ArgumentException($"Must be a finite number > 0; got {value}.", name);
        }
    }
}
