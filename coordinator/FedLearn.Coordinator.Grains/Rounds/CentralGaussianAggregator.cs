using FedLearn.Privacy.Noise;

namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// DP-FedAvg with central noise (McMahan et al. 2018, "Learning Differentially Private Recurrent Language Models",
/// Algorithm 1, flat clipping): the unweighted sum of updates re-clipped to C, snapped to a power-of-two grid plus discrete
/// Gaussian noise of std ≥ σ·Δ (<see cref="GridGaussianMechanism"/>, safe in floating point; Δ = C + γ√d), over the
/// expected cohort q·N. The clipped sum exists only inside this object; the release is already noisy.
/// </summary>
/// <param name="selected">The cohort: at most one update per selected participant is aggregated, and the clipping margin
/// covers double rounding for that many (<see cref="ClippedUpdateSum"/>).</param>
/// <param name="testOnlyNoiseScale">Always 1 outside the audit's own tests (<see cref="TestOnlyNoise"/>): below 1 the noise
/// added is that fraction of what the ledger records.</param>
internal sealed class CentralGaussianAggregator(int parameterCount, PrivacyPlan plan, int eligible, int selected, double testOnlyNoiseScale = 1)
    : IUpdateAggregator
{
    private readonly ClippedUpdateSum _sum = new(parameterCount, plan.ClipNorm, Math.Max(1, selected));

    public int Count => _sum.Count;

    /// <summary>Example counts are computed on private data: a private round releases none.</summary>
    public long Examples => 0;

    /// <summary>Each update counts once, whatever its example count (that count is private too).</summary>
    public void Add(ReadOnlySpan<float> delta, long examples) => _sum.Add(delta);

    public AggregateRelease Release()
    {
        // The double sum is snapped as it is: narrowing it to float first would move ‖S − S′‖ past the charged C.
        var noisy = new float[_sum.Values.Length];
        var sensitivity = GridGaussianMechanism.AddNoise(_sum.Values, noisy, plan.ClipNorm, plan.NoiseMultiplier * testOnlyNoiseScale);
        return new(ExpectedCohort.Mean(noisy, plan.SamplingRate, eligible), new NoiseInSum(plan.NoiseMultiplier, sensitivity, Count));
    }
}
