using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.Privacy.Noise;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// A private session's accounting: the (q, σ) of every committed round, composed by the RDP and PLD accountants. The
/// budget is enforced with the session's accountant; the ledger records both. Values are cached because status calls
/// are frequent and a PLD composition is not free.
/// </summary>
public sealed class SessionPrivacy
{
    private readonly List<SubsampledGaussianStep> _committed = [];
    private readonly IPrivacyAccountant _enforced;

    public SessionPrivacy(PrivacyPlan plan, int plannedRounds, IEnumerable<LedgerEntry> committedEntries)
    {
        Plan = plan;
        _enforced = Accountants.Create(Accountants.Parse(plan.Accountant));
        foreach (var entry in committedEntries)
        {
            _committed.Add(new SubsampledGaussianStep(
                entry.SamplingRate ?? throw new InvalidDataException($"Ledger entry {entry.Sequence} of a private session records no sampling rate."),
                entry.NoiseMultiplier ?? throw new InvalidDataException($"Ledger entry {entry.Sequence} of a private session records no noise multiplier.")));
        }
        Spent = Epsilon(_enforced, _committed);
        Planned = Epsilon(_enforced, [new SubsampledGaussianStep(plan.SamplingRate, plan.NoiseMultiplier, plannedRounds)]);
    }

    public PrivacyPlan Plan { get; }

    /// <summary>ε after the committed rounds, under the enforced accountant.</summary>
    public double Spent { get; private set; }

    /// <summary>ε if every planned round commits.</summary>
    public double Planned { get; }

    /// <summary>Resolves what the engineer asked for into the parameters rounds run with, calibrating σ when it is 0.</summary>
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
            : NoiseCalibrator.CalibrateNoiseMultiplier(definition.EpsilonBudget, definition.Delta, definition.SamplingRate, plannedRounds, accountant);
        return new PrivacyPlan(secure ? PrivacyPlan.DistributedDiscreteGaussian : PrivacyPlan.CentralGaussian, definition.SamplingRate, sigma,
            definition.ClipNorm, definition.EpsilonBudget, definition.Delta, Accountants.Name(accountant), secure);
    }

    /// <summary>ε under the enforced accountant if one more round with noise multiplier σ commits.</summary>
    public double ProjectNextRound(double noiseMultiplier) => Epsilon(_enforced, [.. _committed, Step(noiseMultiplier)]);

    /// <summary>ε under both accountants with one more round, for the ledger entry of the round being committed.</summary>
    public (double Rdp, double Pld) EpsilonsWithNextRound(double noiseMultiplier)
    {
        List<SubsampledGaussianStep> steps = [.. _committed, Step(noiseMultiplier)];
        return (Epsilon(Accountants.Create(AccountantKind.Rdp), steps), Epsilon(Accountants.Create(AccountantKind.Pld), steps));
    }

    /// <summary>
    /// The worst case against the coordinator with one more round (secure aggregation, docs/threat-model.md): a participant
    /// in every charged step, each a Gaussian mechanism with the same σ but q = 1, since the coordinator knows the cohort and
    /// sampling amplifies nothing against it (Kairouz et al. 2021, DP-FTRL §1); RDP of the Gaussian, Mironov 2017 Prop. 7.
    /// </summary>
    public (double Rdp, double Pld) EpsilonsAgainstCoordinatorWithNextRound(double noiseMultiplier)
    {
        List<SubsampledGaussianStep> steps = [.. _committed.Select(s => new SubsampledGaussianStep(1.0, s.NoiseMultiplier)), new(1.0, noiseMultiplier)];
        return (Epsilon(Accountants.Create(AccountantKind.Rdp), steps), Epsilon(Accountants.Create(AccountantKind.Pld), steps));
    }

    /// <summary>
    /// The Gaussian mechanism on the sum of clipped updates, safe in floating point: snapped to a power-of-two grid plus
    /// discrete Gaussian noise of std ≥ σ·Δ (<see cref="GridGaussianMechanism"/>); Δ is <see cref="CentralSensitivity"/>.
    /// </summary>
    public float[] AddCentralNoise(float[] clippedSum)
    {
        var noisy = (float[])clippedSum.Clone();
        GridGaussianMechanism.AddNoise(noisy, Plan.ClipNorm, Plan.NoiseMultiplier);
        return noisy;
    }

    /// <summary>The sensitivity central noise is charged with: C plus the snapping inflation γ√d (GridGaussianMechanism).</summary>
    public double CentralSensitivity(int dimension) => GridGaussianMechanism.ChargedSensitivity(Plan.ClipNorm, Plan.NoiseMultiplier, dimension);

    /// <summary>
    /// The noisy sum over q·N: the fixed-denominator mean of DP-FedAvg (McMahan et al. 2018, §2, the estimator with the
    /// expected number of participants as denominator, so the denominator itself reveals nothing about who took part).
    /// <paramref name="eligible"/> is N, the number of participants the round sampled from.
    /// </summary>
    public float[] MeanOverExpectedCohort(float[] noisySum, int eligible)
    {
        var denominator = Math.Max(1.0, Plan.SamplingRate * eligible);
        return [.. noisySum.Select(v => (float)(v / denominator))];
    }

    /// <summary>Called once the round's commit (and its ledger entry) is durable, with the noise the round actually had.</summary>
    public void RecordCommitted(double noiseMultiplier, double epsilonSpent)
    {
        _committed.Add(Step(noiseMultiplier));
        Spent = epsilonSpent;
    }

    private SubsampledGaussianStep Step(double noiseMultiplier) => new(Plan.SamplingRate, noiseMultiplier);

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
