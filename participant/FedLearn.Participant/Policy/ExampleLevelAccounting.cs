using FedLearn.Participant.Spending;
using FedLearn.Privacy;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Policy;

/// <summary>
/// The participant's own accounting of example-level DP-SGD (Abadi et al. 2016, "Deep Learning with Differential
/// Privacy", §3.1: Poisson-sampled lots, per-example clipping, Gaussian noise; composed here with the RDP or PLD
/// accountant over every step this participant took in the session). Only the participant knows its dataset size, so
/// only it can compute this guarantee.
/// </summary>
public static class ExampleLevelAccounting
{
    /// <summary>
    /// What this round would spend: σ (declared, or the smallest σ that fits all planned rounds into the budget for this
    /// dataset size — the same every round, so the calibration is stable), the steps, and ε after them composed with the
    /// steps this participant already took in the session.
    /// </summary>
    public static ExampleSpend Project(ExamplePrivacyParameters p, int datasetSize, int localEpochs, int plannedRounds, IEnumerable<SpendRecord> earlier)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(datasetSize, 1);
        var kind = Accountants.ParseOrDefault(p.Accountant);
        var batch = Math.Min(p.ExpectedBatchSize, datasetSize);
        var q = (double)batch / datasetSize;
        var steps = localEpochs * ((datasetSize + batch - 1) / batch);
        var sigma = p.NoiseMultiplier > 0
            ? p.NoiseMultiplier
            : NoiseCalibrator.CalibrateNoiseMultiplier(p.EpsilonBudget, p.Delta, q, Math.Max(1, plannedRounds) * steps, kind);
        var history = earlier.Where(r => r.Example is not null).Select(r => r.Example!).ToList();
        List<SubsampledGaussianStep> composed = [.. history.Select(h => new SubsampledGaussianStep(h.SamplingRate, h.NoiseMultiplier, h.Steps)), new(q, sigma, steps)];
        var epsilon = Accountants.Create(kind).GetEpsilon(composed, p.Delta);
        return new ExampleSpend(q, sigma, p.ClipNorm, steps, history.Sum(h => h.Steps) + steps, p.Delta, p.EpsilonBudget, epsilon,
            Accountants.Name(kind));
    }
}
