using FedLearn.Ledger;
using FedLearn.Privacy;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// A private session's accounting: the (q, σ) of every charged step (one per committed round, including rounds that
/// committed unchanged), composed by the RDP and PLD accountants. The budget is enforced with the session's accountant,
/// failing closed; the ledger records both, and with secure aggregation the worst case against the coordinator (the same
/// steps without amplification by sampling, D4). Values are cached because status calls are frequent and a PLD
/// composition is not free.
/// </summary>
/// <remarks>
/// The release consumers' figures (and so the budget) claim no amplification by sampling in a ledger of accounting version
/// 4 (<see cref="LedgerAccountingVersions.ReleaseConsumersUnamplified"/>): the coordinator publishes each attempt's realised
/// cohort size n, and given n a participant was sampled with probability n/N while the others' sum depends on its inclusion,
/// so the Poisson-subsampled bound of the sum alone (Mironov, Talwar &amp; Zhang 2019) understates what is released (review-10
/// S7). Each step is then composed as the Gaussian mechanism with q = 1 at its σ: conditioned on the whole sample, which is
/// independent of the data under zero-out, that is what a step is. A session whose ledger is of an earlier version keeps
/// the amplified figures its ledger was sealed with.
/// </remarks>
public sealed class SessionPrivacy
{
    private readonly List<SubsampledGaussianStep> _committed = [];

    // Σ η over the committed entries: the samplers' total variation distance from exact discrete Gaussian noise.
    private double _samplerDistance;

    // Σ δ_c over the committed entries (accounting version 6): the chance that some cohort held more colluders than assumed.
    private double _colluderTail;
    private readonly IPrivacyAccountant _enforced;

    // The q the release consumers' steps are composed at: the plan's with amplification (ledgers before version 4), else 1.
    private readonly double _releaseSamplingRate;

    /// <param name="releaseConsumersAmplified">The session ledger's <see cref="LedgerHeader.ReleaseConsumersAmplified"/>:
    /// false for every session created now.</param>
    public SessionPrivacy(PrivacyPlan plan, int plannedRounds, IEnumerable<LedgerEntry> committedEntries, bool releaseConsumersAmplified)
    {
        Plan = plan;
        _releaseSamplingRate = releaseConsumersAmplified ? plan.SamplingRate : 1.0;
        _enforced = Accountants.Create(Accountants.Parse(plan.Accountant));
        foreach (var entry in committedEntries)
        {
            var recordedRate = entry.SamplingRate ?? throw new InvalidDataException($"Ledger entry {entry.Sequence} of a private session records no sampling rate.");
            _committed.Add(new SubsampledGaussianStep(
                releaseConsumersAmplified ? recordedRate : 1.0,
                entry.NoiseMultiplier ?? throw new InvalidDataException($"Ledger entry {entry.Sequence} of a private session records no noise multiplier.")));
            _samplerDistance = Math.Min(1, _samplerDistance + (entry.SamplerTvDistance ?? 0));
            _colluderTail = Math.Min(1, _colluderTail + (entry.ColluderTailProbability ?? 0));
        }
        Spent = Epsilon(_enforced, _committed);
        Planned = Epsilon(_enforced, [new SubsampledGaussianStep(_releaseSamplingRate, plan.NoiseMultiplier, plannedRounds)]);
    }

    public PrivacyPlan Plan { get; }

    /// <summary>ε after the committed rounds, under the enforced accountant.</summary>
    public double Spent { get; private set; }

    /// <summary>ε if every planned round commits.</summary>
    public double Planned { get; }

    /// <summary>
    /// Resolves what the engineer asked for into the parameters rounds run with, calibrating σ when it is 0: at q = 1, since
    /// a new session's ledger (accounting version 4) claims no amplification by sampling for release consumers.
    /// </summary>
    /// <exception cref="ArgumentException">The budget cannot be met for the planned rounds at any reasonable σ.</exception>
    public static PrivacyPlan Resolve(PrivacyDefinition definition, int plannedRounds)
    {
        var accountant = Accountants.ParseOrDefault(definition.Accountant);
        var secure = !definition.CentralNoise;
        // Both mechanisms snap to a grid, which inflates the sensitivity (by up to D/(8c²) with secure aggregation, which
        // exceeds any fixed margin for large D). No margin is needed: the noise is sized from the inflated sensitivity once
        // the grid is known (EncodingParameters.GridNoiseVariance, GridGaussianMechanism.GridVariance), so every round
        // carries noise multiplier ≥ σ and the calibrated σ is what rounds are charged.
        var sigma = definition.NoiseMultiplier > 0
            ? definition.NoiseMultiplier
            : NoiseCalibrator.CalibrateNoiseMultiplier(definition.EpsilonBudget, definition.Delta, 1.0, plannedRounds, accountant);
        var adaptive = definition.AdaptiveClipping is { } a ? ResolveAdaptive(a, definition.ClipNorm, sigma) : null;
        return new PrivacyPlan(secure ? PrivacyPlan.DistributedDiscreteGaussian : PrivacyPlan.CentralGaussian, definition.SamplingRate, sigma,
            adaptive?.InitialClipNorm ?? definition.ClipNorm, definition.EpsilonBudget, definition.Delta, Accountants.Name(accountant), secure,
            secure ? definition.DropoutAllowance ?? PrivacyPlan.DefaultDropoutAllowance : 0, adaptive,
            secure ? definition.ColluderFraction ?? PrivacyPlan.DefaultColluderFraction : 0);
    }

    /// <summary>
    /// Adaptive clipping keeps the budget planned at σ: σ is the joint release's noise multiplier, so the sum alone is
    /// noised at z_Δ = (σ⁻² − (2σ_b)⁻²)^(−1/2) (Andrew et al. 2021, §3; <see cref="AdaptiveClipping.UpdateNoiseMultiplier"/>,
    /// which refuses 2σ_b ≤ σ, e.g. when σ was calibrated above 2σ_b).
    /// </summary>
    private static AdaptiveClippingPlan ResolveAdaptive(AdaptiveClippingDefinition a, double clipNorm, double sigma) =>
        new(a.TargetQuantile, a.LearningRate, a.BitNoiseStddev, a.InitialClipNorm == 0 ? clipNorm : a.InitialClipNorm,
            AdaptiveClipping.UpdateNoiseMultiplier(sigma, a.BitNoiseStddev), AdaptiveClipping.CentralReportVariance(a.BitNoiseStddev));

    /// <summary>ε under the enforced accountant if one more round with noise multiplier σ commits.</summary>
    public double ProjectNextRound(double noiseMultiplier) => Epsilon(_enforced, [.. _committed, Step(noiseMultiplier)]);

    /// <summary>
    /// Why the next step, charged at σ, may not be taken — or null when it fits. Fails closed: a σ or ε that is NaN,
    /// infinite or degenerate refuses the step (<c>!(ε ≤ budget)</c> is true for NaN), never passes it.
    /// </summary>
    public StepRefusal? RefuseNextStep(double noiseMultiplier)
    {
        double projected;
        try
        {
            projected = ProjectNextRound(noiseMultiplier);
        }
        catch (ArgumentException e)
        {
            return new StepRefusal(false, $"its privacy cost cannot be computed ({e.Message})");
        }
        if (!double.IsFinite(projected) || projected < 0)
        {
            return new StepRefusal(false, $"its privacy cost is not a finite number (ε = {projected}, σ = {noiseMultiplier:G4})");
        }
        return !(projected <= Plan.EpsilonBudget)
            ? new StepRefusal(true, $"it would raise ε to {projected:G4} (δ = {Plan.Delta:G3}, {Plan.Accountant}), above the budget of {Plan.EpsilonBudget:G4}")
            : null;
    }

    /// <summary>ε under both accountants with one more round, for the ledger entry of the round being committed.</summary>
    public (double Rdp, double Pld) EpsilonsWithNextRound(double noiseMultiplier)
    {
        List<SubsampledGaussianStep> steps = [.. _committed, Step(noiseMultiplier)];
        return (Epsilon(Accountants.Create(AccountantKind.Rdp), steps), Epsilon(Accountants.Create(AccountantKind.Pld), steps));
    }

    /// <summary>
    /// The worst case against the coordinator with one more round (secure aggregation, docs/threat-model.md): a participant
    /// in every charged step, each a Gaussian mechanism with the same σ but q = 1, since the coordinator knows the cohort and
    /// sampling amplifies nothing against it (Kairouz et al. 2021, DP-FTRL §1; <see cref="UnamplifiedGaussianComposition"/>).
    /// </summary>
    public (double Rdp, double Pld) EpsilonsAgainstCoordinatorWithNextRound(double noiseMultiplier)
    {
        List<double> sigmas = [.. _committed.Select(s => s.NoiseMultiplier), noiseMultiplier];
        return (UnamplifiedGaussianComposition.Epsilon(Accountants.Create(AccountantKind.Rdp), sigmas, Plan.Delta),
            UnamplifiedGaussianComposition.Epsilon(Accountants.Create(AccountantKind.Pld), sigmas, Plan.Delta));
    }

    /// <summary>
    /// The δ at which ε truly holds once a round whose noise is within total variation <paramref name="samplerDistance"/>
    /// of exact discrete Gaussian noise commits: δ + (1 + e^ε)·(Σ η so far + η) (<see cref="SamplerResidue.TotalDelta"/>),
    /// ε the larger of the round's RDP and PLD figures, so the δ holds for both; plus (accounting version 6) Σ δ_c, each
    /// secure attempt's bound <paramref name="colluderTail"/> on the chance that its cohort held more colluders than its
    /// noise was sized for (<see cref="SamplerResidue.WithColluderTail"/>). The ledger records it and the verifier
    /// recomputes it from the entries.
    /// </summary>
    public double DeltaTotalWithNextRound(double samplerDistance, double colluderTail, double epsilonRdp, double epsilonPld) =>
        SamplerResidue.WithColluderTail(
            SamplerResidue.TotalDelta(Plan.Delta, Math.Max(epsilonRdp, epsilonPld), Math.Min(1, _samplerDistance + samplerDistance)),
            Math.Min(1, _colluderTail + colluderTail));

    /// <summary>Called once the round's commit (and its ledger entry) is durable, with the noise the round was charged.</summary>
    /// <param name="samplerDistance">The round's η as its entry records it (0 for a ledger that records none).</param>
    /// <param name="colluderTail">The round's δ_c as its entry records it (0 for none).</param>
    public void RecordCommitted(double noiseMultiplier, double epsilonSpent, double samplerDistance = 0, double colluderTail = 0)
    {
        _committed.Add(Step(noiseMultiplier));
        _samplerDistance = Math.Min(1, _samplerDistance + samplerDistance);
        _colluderTail = Math.Min(1, _colluderTail + colluderTail);
        Spent = epsilonSpent;
    }

    private SubsampledGaussianStep Step(double noiseMultiplier) => new(_releaseSamplingRate, noiseMultiplier);

    private double Epsilon(IPrivacyAccountant accountant, IReadOnlyList<SubsampledGaussianStep> steps) =>
        steps.Count == 0 ? 0 : accountant.GetEpsilon(Compress(steps), Plan.Delta);

    /// <summary>Runs of identical steps become one step with repetitions: the same composition, computed faster.</summary>
    private static List<SubsampledGaussianStep> Compress(IReadOnlyList<SubsampledGaussianStep> steps)
    {
        var compressed = new List<SubsampledGaussianStep>();
        foreach (var step in steps)
        {
            if (compressed.Count > 0 && compressed[^1] is var last
                && last.SamplingRate == step.SamplingRate && last.NoiseMultiplier == step.NoiseMultiplier)
            {
                compressed[^1] = new SubsampledGaussianStep(last.SamplingRate, last.NoiseMultiplier, last.Repetitions + step.Repetitions);
            }
            else
            {
                compressed.Add(step);
            }
        }
        return compressed;
    }
}
