using System.Globalization;
using FedLearn.Participant.Spending;
using FedLearn.Privacy;
using FedLearn.Privacy.Noise;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Policy;

/// <summary>
/// The participant's own accounting of example-level DP-SGD (Abadi et al. 2016, "Deep Learning with Differential
/// Privacy", §3.1: Poisson-sampled lots, per-example clipping, Gaussian noise; composed here with the RDP or PLD
/// accountant over every step this participant took in the session). Only the participant knows its dataset size, so
/// only it can compute this guarantee. Neighbouring datasets differ in one record replaced by one whose clipped
/// gradient is zero (zero-out; Kairouz et al. 2021, DP-FTRL §2), for which the sampled Gaussian bounds of Mironov,
/// Talwar &amp; Zhang 2019 hold with sensitivity C.
/// </summary>
public static class ExampleLevelAccounting
{
    /// <summary>
    /// Attempts beyond the planned rounds that a calibrated σ leaves room for: max(3, ⌈rounds / 4⌉). Every attempt a
    /// participant trains for is spent (a coordinator crash or an aborted round reruns an attempt after the training
    /// happened), so σ calibrated for exactly the planned rounds would run out of budget before the session ends.
    /// </summary>
    public static int RerunAllowance(int plannedRounds) => CalibrationAttempts.RerunAllowance(plannedRounds);

    /// <summary>
    /// Why the declared example-level parameters cannot be accounted for (non-finite, out of range, unknown
    /// accountant), or null when they can. Such a round is refused, never trained for.
    /// </summary>
    public static string? Invalid(ExamplePrivacyParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (!string.IsNullOrWhiteSpace(p.Accountant) && p.Accountant.Trim().ToLowerInvariant() is not ("rdp" or "pld"))
        {
            return $"unknown example-level accountant \"{p.Accountant}\"; expected \"rdp\" or \"pld\"";
        }
        if (!(p.EpsilonBudget > 0) || !double.IsFinite(p.EpsilonBudget)
            || !(p.Delta > 0 && p.Delta < 1)
            || !(p.NoiseMultiplier >= 0) || !double.IsFinite(p.NoiseMultiplier)
            || !(p.ClipNorm > 0) || !double.IsFinite(p.ClipNorm)
            || p.ExpectedBatchSize < 1)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"the declared example-level parameters are invalid (ε budget={p.EpsilonBudget:G4}, δ={p.Delta:G4}, σ={p.NoiseMultiplier:G4}, "
                + $"C={p.ClipNorm:G4}, expected batch {p.ExpectedBatchSize})");
        }
        return null;
    }

    /// <summary>
    /// What this attempt would spend: σ (declared, or the smallest σ that fits the planned rounds plus
    /// <see cref="RerunAllowance"/> attempts into the budget for this dataset size — the same every round, so the
    /// calibration is stable), the steps, and ε after them composed with every step this participant already took in
    /// the session, in every attempt it trained for. The caller refuses the attempt unless ε ≤ the budget.
    /// <para>
    /// The noise sampler's residue is paid in δ exactly as at the participant level (docs/ledger.md, "The samplers' error
    /// is in delta_total"; <see cref="SamplerResidue"/>): each DP-SGD step's noise is within total variation
    /// d × the sampler's per-coordinate bound (≈ 2^−91) of exact discrete Gaussian noise
    /// (<see cref="GridGaussianMechanism.StatisticalDistance"/>), so the run is (ε, δ + (1 + e^ε)·Ση)-DP with η summed
    /// over every step of the session (<see cref="ExampleSpend.DeltaTotal"/>). The minibatch sampler is exact Poisson
    /// (FedLearn.Training's PoissonSampler compares integers), so it adds nothing. Each step also adds
    /// p_tail = 2⁻⁶⁰, the probability that its batch exceeds the B_max its float32 clip margin is sized for and is skipped
    /// (<see cref="BatchSizeBound"/>; review-10 S9): the real step differs from one that never skips only on that event,
    /// so it is within total variation p_tail of it on every input, and the same (1 + e^ε) bound charges it.
    /// </para>
    /// </summary>
    /// <param name="dimension">d, the model's parameter count (the length of each step's noise).</param>
    /// <exception cref="ArgumentException">The parameters are <see cref="Invalid"/>, the task's epochs or planned rounds
    /// are out of range, or no σ meets the budget.</exception>
    public static ExampleSpend Project(
        ExamplePrivacyParameters p, int datasetSize, int dimension, int localEpochs, int plannedRounds, IEnumerable<SpendRecord> earlier)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(datasetSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (Invalid(p) is { } invalid)
        {
            throw new ArgumentException(invalid, nameof(p));
        }
        if (localEpochs < 1 || plannedRounds < 0)
        {
            throw new ArgumentException($"the task asks for {localEpochs} local epochs over {plannedRounds} planned rounds", nameof(localEpochs));
        }
        var kind = Accountants.ParseOrDefault(p.Accountant);
        var batch = Math.Min(p.ExpectedBatchSize, datasetSize);
        var q = (double)batch / datasetSize;
        var steps = localEpochs * ((datasetSize + batch - 1) / batch);
        var attempts = CalibrationAttempts.For(plannedRounds);
        var sigma = p.NoiseMultiplier > 0
            ? p.NoiseMultiplier
            : NoiseCalibrator.CalibrateNoiseMultiplier(p.EpsilonBudget, p.Delta, q, attempts * steps, kind);
        var history = earlier.Where(r => r.Example is not null).Select(r => r.Example!).ToList();
        // A line of 0 steps resent an earlier round's result (<see cref="Resent"/>): it took no DP-SGD step to compose.
        List<SubsampledGaussianStep> composed =
            [.. history.Where(h => h.Steps > 0).Select(h => new SubsampledGaussianStep(h.SamplingRate, h.NoiseMultiplier, h.Steps)), new(q, sigma, steps)];
        var epsilon = Accountants.Create(kind).GetEpsilon(composed, p.Delta);
        // η per round: steps × (d × the per-coordinate bound + p_tail); a line from before η was logged is recomputed from its own
        // C, σ and steps (same session, same model, so the same d).
        var distance = RoundDistance(p.ClipNorm, sigma, dimension, steps);
        var totalDistance = Math.Min(1, distance + history.Sum(h => h.SamplerTvDistance ?? RoundDistance(h.ClipNorm, h.NoiseMultiplier, dimension, h.Steps)));
        // A degenerate ε (NaN, ∞) leaves δ_total at 1: no guarantee, which the caller's budget check refuses anyway.
        var deltaTotal = epsilon >= 0 && double.IsFinite(epsilon) ? SamplerResidue.TotalDelta(p.Delta, epsilon, totalDistance) : 1.0;
        return new ExampleSpend(q, sigma, p.ClipNorm, steps, history.Sum(h => h.Steps) + steps, p.Delta, p.EpsilonBudget, epsilon,
            Accountants.Name(kind), p.NoiseMultiplier > 0 ? null : attempts, distance, deltaTotal);
    }

    /// <summary>
    /// The spend of an attempt that sends again the DP-SGD result this participant already trained for (and recorded as
    /// <paramref name="trained"/>) on the same model, because the coordinator lost the attempt it was sent for (a crash, an
    /// abort) and reran it. No record is touched again: releasing one output of a differentially private mechanism twice is
    /// post-processing of that output (Dwork &amp; Roth 2014, Prop. 2.1), so the example level spends nothing — 0 steps,
    /// ε and δ_total as the session's spend already stands (each line composes every line before it, so the largest is
    /// the session's). The participant-level release of the attempt is new and is spent as usual.
    /// </summary>
    public static ExampleSpend Resent(ExampleSpend trained, IEnumerable<SpendRecord> earlier)
    {
        ArgumentNullException.ThrowIfNull(trained);
        var history = earlier.Where(r => r.Example is not null).Select(r => r.Example!).ToList();
        return trained with
        {
            Steps = 0,
            TotalSteps = history.Sum(h => h.Steps),
            Epsilon = history.Max(h => (double?)h.Epsilon) ?? trained.Epsilon,
            SamplerTvDistance = 0,
            DeltaTotal = history.Max(h => h.DeltaTotal) ?? trained.DeltaTotal,
        };
    }

    /// <summary>η of a round of <paramref name="steps"/> DP-SGD steps: the noise's distance plus steps × p_tail, at most 1.</summary>
    private static double RoundDistance(double clipNorm, double noiseMultiplier, int dimension, int steps) =>
        Math.Min(1, NoiseDistance(clipNorm, noiseMultiplier, dimension, steps) + BatchSizeBound.StepsDistance(steps));

    /// <summary>η of <paramref name="steps"/> DP-SGD steps over d coordinates: steps × d × the sampler's bound, at most 1.</summary>
    public static double NoiseDistance(double clipNorm, double noiseMultiplier, int dimension, int steps) =>
        steps == 0 ? 0 : Math.Min(1, steps * GridGaussianMechanism.StatisticalDistance(clipNorm, noiseMultiplier, dimension));
}
