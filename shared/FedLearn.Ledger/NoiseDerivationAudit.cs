using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Ledger;

/// <summary>
/// Accounting version 3: re-derives each participant-level entry's sensitivity, σ (secure aggregation) and sampler distance
/// η from the noise inputs the entry records, so the ledger's per-round figures are checked instead of trusted
/// (docs/ledger.md, "Noise inputs"). The ε audits then compose the recorded σ, which this audit has tied to its inputs.
/// </summary>
/// <remarks>
/// <para><b>Central noise</b> (<see cref="GridGaussianMechanism"/>): the sum is snapped to γ·Z^d, so Δ = C + γ√d (each of
/// two neighbouring sums moves by ≤ γ√d/2; triangle inequality), and the sampler is asked for σ_int² ≥ (σ·Δ/γ)², i.e.
/// noise of standard deviation ≥ σ·Δ. η = d × the scaled sampler's per-coordinate bound (Ducas et al. 2013, §6 decomposition,
/// <see cref="ScaledDiscreteGaussian.StatisticalDistanceBound"/>), or 0 when nothing was aggregated (a draw below the
/// minimum draws no noise).</para>
/// <para><b>Secure aggregation</b> (<see cref="EncodingParameters"/>): Δ₂ on the grid after conditional rounding (Kairouz,
/// Liu &amp; Steinke 2021, Theorem 1 / Algorithm 1, β = e^(−1/2)), sensitivity γ·Δ₂; the certainly honest shares of
/// N_Z(0, σ_int²) — s_min − ⌊ρ·n⌋ in versions 3 to 5, s_min − c(n) from version 6 with c(n) re-derived from n, ρ and δ_c
/// (<see cref="ColluderBound"/>) — give σ_eff by KLS 2021, Prop. 14 with the τ term (<see cref="DistributedNoiseGuarantee.NoiseMultiplier"/>),
/// n = participants_selected (the cohort the attempt opened with); η = n × D × the table's per-coordinate bound
/// (<see cref="DiscreteGaussianNoise.StatisticalDistancePerCoordinate"/>). s_min must be one the round could enforce:
/// t ≤ s_min ≤ n and s_min ≥ n − ⌈a·n⌉.</para>
/// </remarks>
internal sealed class NoiseDerivationAudit(LedgerHeader header, IReadOnlyList<LedgerEntry> entries, double tolerance, List<LedgerDiscrepancy> discrepancies)
{
    public void Run()
    {
        if (!header.HasParticipantLevel || !header.RecordsNoiseInputs)
        {
            return;
        }

        foreach (var entry in entries)
        {
            if (entry.ClipNorm is not (> 0 and < double.PositiveInfinity) || LedgerValidation.Content(entry).Count > 0)
            {
                continue; // Malformed fields are already named; nothing sound to derive from.
            }

            if (entry.Mechanism == LedgerMechanisms.CentralGaussian && entry is { Dimension: { } d, GridScale: { } gamma, IntegerNoiseVariance: { } variance })
            {
                Central(entry, d, gamma, variance);
            }
            else if (entry.Mechanism == LedgerMechanisms.DistributedDiscreteGaussian && entry is
                     {
                         GridScale: { } g, IntegerNoiseVariance: { } v, PaddedDimension: { } padded, ShamirThreshold: { } t,
                         MinimumSurvivors: { } minimum, DropoutAllowance: { } a, CorruptionRate: { } rho,
                     }
                     && (!header.RecordsColluderBound || entry is { AssumedColluders: not null, ColluderTailProbability: not null }))
            {
                Secure(entry, g, v, padded, t, minimum, a, rho);
            }
        }
    }

    private void Central(LedgerEntry entry, int dimension, double gamma, long variance)
    {
        // Δ = C + γ√d (GridGaussianMechanism, class remarks: snapping moves each sum by ≤ γ√d/2).
        var sensitivity = entry.ClipNorm!.Value + (gamma * Math.Sqrt(dimension));
        Compare(entry, LedgerDiscrepancyKinds.SensitivityMismatch, "sensitivity", entry.Sensitivity!.Value, sensitivity, "C + grid_scale·√dimension");

        // The noise added has standard deviation γ·√σ_int² on the release; the entry may not charge more than that.
        var added = gamma * Math.Sqrt(variance) / sensitivity;
        if (entry is { ReportNoiseVariance: { } reportVariance, BitNoiseStddev: { } bitNoise })
        {
            // Adaptive clipping: the sum and the noisy count are one Gaussian mechanism with z = (z_Δ⁻² + z_r⁻²)^(−1/2)
            // (Andrew et al. 2021, §3), z_r = √(report variance) against the report's sensitivity 1, drawn ⌈(2σ_b)²⌉.
            if (reportVariance != FedLearn.Privacy.AdaptiveClipping.CentralReportVariance(bitNoise))
            {
                Add(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch,
                    $"report_noise_variance {reportVariance} is not ⌈(2·bit_noise_stddev)²⌉ = {FedLearn.Privacy.AdaptiveClipping.CentralReportVariance(bitNoise)}.");
            }

            var joint = FedLearn.Privacy.AdaptiveClipping.JointNoiseMultiplier(added, Math.Sqrt(reportVariance));
            if (entry.NoiseMultiplier!.Value > joint * (1 + tolerance))
            {
                Add(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch,
                    $"noise_multiplier {entry.NoiseMultiplier:R} claims more noise than the sum (γ·√σ_int² / Δ = {added:R}) and the clipped count " +
                    $"(√report_noise_variance = {Math.Sqrt(reportVariance):R}) carry together, (z_Δ⁻² + z_r⁻²)^(−1/2) = {joint:R} (Andrew et al. 2021, §3): " +
                    "the ledger understates epsilon.");
            }
        }
        else if (entry.NoiseMultiplier!.Value > added * (1 + tolerance))
        {
            Add(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch,
                $"noise_multiplier {entry.NoiseMultiplier:R} claims more noise than integer_noise_variance {variance} on grid_scale {gamma:R} adds " +
                $"(σ ≤ γ·√σ_int² / Δ = {added:R}): the ledger understates epsilon.");
        }

        double perCoordinate;
        try
        {
            perCoordinate = ScaledDiscreteGaussian.For((ulong)variance).StatisticalDistanceBound;
        }
        catch (ArgumentException)
        {
            Add(entry, LedgerDiscrepancyKinds.SamplerTvDistanceMismatch, $"integer_noise_variance {variance} is beyond what the central sampler draws.");
            return;
        }

        var eta = Math.Min(1, dimension * perCoordinate);
        if (!(entry.IsEmptyStep && entry.SamplerTvDistance == 0))
        {
            Compare(entry, LedgerDiscrepancyKinds.SamplerTvDistanceMismatch, "sampler_tv_distance", entry.SamplerTvDistance ?? double.NaN, eta,
                "dimension × the scaled sampler's per-coordinate bound");
        }
    }

    private void Secure(LedgerEntry entry, double gamma, long variance, int padded, int threshold, int minimum, double allowance, double rho)
    {
        var cohort = entry.ParticipantsSelected;
        // s_min = max(t, m, n − ⌈a·n⌉) (DistributedNoiseGuarantee.MinimumSurvivors): the round may raise it (its minimum m),
        // never lower it below the threshold or the allowance, and never above the cohort.
        var allowed = (long)Math.Ceiling(allowance * cohort);
        if (threshold > minimum || minimum > cohort || minimum < cohort - allowed)
        {
            Add(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch,
                $"minimum_survivors {minimum} is not one the round could enforce: it must satisfy shamir_threshold {threshold} ≤ s_min ≤ " +
                $"participants_selected {cohort} and s_min ≥ n − ⌈dropout_allowance·n⌉ = {cohort - allowed}.");
            return;
        }

        int honest;
        double gridSensitivity;
        try
        {
            honest = header.RecordsColluderBound
                ? DistributedNoiseGuarantee.CertainlyHonest(minimum, Colluders(entry, cohort, rho))
                : DistributedNoiseGuarantee.HonestShares(minimum, cohort, rho);
            // Rotate = false: Dimension is already the padded D, so PaddedDimension = D.
            gridSensitivity = new EncodingParameters(padded, entry.ClipNorm!.Value, gamma, 0, minimum, cohort, Rotate: false).GridSensitivity;
        }
        catch (ArgumentException e)
        {
            Add(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch, $"The noise inputs give no guarantee: {e.Message}");
            return;
        }

        Compare(entry, LedgerDiscrepancyKinds.SensitivityMismatch, "sensitivity", entry.Sensitivity!.Value, gamma * gridSensitivity,
            "grid_scale·Δ₂ (KLS 2021, Theorem 1)");
        var sigma = DistributedNoiseGuarantee.NoiseMultiplier(gridSensitivity, variance, honest, padded);
        var formula = $"σ_eff of the {honest} certainly honest shares ({(header.RecordsColluderBound ? "s_min − c(n)" : "s_min − ⌊ρ·n⌋")}; KLS 2021, Prop. 14 with τ)";
        if (entry is { ReportNoiseVariance: { } reportVariance, BitNoiseStddev: { } bitNoise })
        {
            // Adaptive clipping: the same honest shares also noise the report sum (sensitivity 1, one coordinate), and the
            // attempt is charged the pair's joint σ (Andrew et al. 2021, §3).
            var expectedVariance = FedLearn.Privacy.AdaptiveClipping.SecureReportShareVariance(bitNoise, honest);
            if ((ulong)reportVariance != expectedVariance)
            {
                Add(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch,
                    $"report_noise_variance {reportVariance} is not max(8, ⌈(2·bit_noise_stddev)²/{honest}⌉) = {expectedVariance}.");
            }

            sigma = FedLearn.Privacy.AdaptiveClipping.JointNoiseMultiplier(sigma,
                FedLearn.Privacy.AdaptiveClipping.SecureReportNoiseMultiplier(reportVariance, honest));
            formula = $"the joint σ of the update and report sums of the {honest} certainly honest shares (Andrew et al. 2021, §3; KLS 2021, Prop. 14)";
        }

        Compare(entry, LedgerDiscrepancyKinds.NoiseMultiplierMismatch, "noise_multiplier", entry.NoiseMultiplier!.Value, sigma, formula);
        var eta = Math.Min(1, cohort * (double)padded * DiscreteGaussianNoise.StatisticalDistancePerCoordinate((ulong)variance));
        Compare(entry, LedgerDiscrepancyKinds.SamplerTvDistanceMismatch, "sampler_tv_distance", entry.SamplerTvDistance ?? double.NaN, eta,
            "participants_selected × padded_dimension × the table's per-coordinate bound");
    }

    /// <summary>
    /// Version 6: c(n) re-derived from the cohort, ρ and the recorded δ_c (<see cref="ColluderBound.Colluders(int, double, double)"/>),
    /// named when the recorded <c>assumed_colluders</c> differs. The derivation, not the recorded figure, sizes the honest
    /// shares, so a tampered count cannot raise σ. An invalid ρ or δ_c throws <see cref="ArgumentException"/>.
    /// </summary>
    private int Colluders(LedgerEntry entry, int cohort, double rho)
    {
        var derived = ColluderBound.Colluders(cohort, rho, entry.ColluderTailProbability!.Value);
        if (entry.AssumedColluders != derived)
        {
            Add(entry, LedgerDiscrepancyKinds.AssumedColludersMismatch,
                $"Recorded assumed_colluders {entry.AssumedColluders} is not {derived}, the smallest c with E[(Binomial(n, ρ) − c)+] ≤ " +
                $"colluder_tail_probability {entry.ColluderTailProbability:R} for participants_selected n = {cohort} and corruption_rate ρ = {rho:R}" +
                (entry.AssumedColluders < derived ? ": the ledger understates epsilon." : "."));
        }

        return derived;
    }

    /// <summary>Names a recorded figure that differs from its derivation by more than the relative tolerance (either way).</summary>
    private void Compare(LedgerEntry entry, string kind, string field, double recorded, double recomputed, string formula)
    {
        if (Math.Abs(recorded - recomputed) <= tolerance * Math.Abs(recomputed))
        {
            return;
        }

        // More σ than derived understates ε; less η than derived understates δ; the sensitivity is informative only.
        var understates = kind switch
        {
            LedgerDiscrepancyKinds.NoiseMultiplierMismatch when recorded > recomputed => ": the ledger understates epsilon",
            LedgerDiscrepancyKinds.SamplerTvDistanceMismatch when !(recorded >= recomputed) => ": the ledger understates delta_total",
            _ => "",
        };
        Add(entry, kind, $"Recorded {field} {recorded:R} is not {recomputed:R}, {formula} from the entry's noise inputs " +
            $"(relative tolerance {tolerance:R}){understates}.");
    }

    private void Add(LedgerEntry entry, string kind, string message) => discrepancies.Add(new(kind, entry.Sequence, entry.Round, message));
}
