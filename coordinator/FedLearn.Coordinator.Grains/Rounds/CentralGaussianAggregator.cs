using FedLearn.Privacy;
using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// DP-FedAvg with central noise (McMahan et al. 2018, "Learning Differentially Private Recurrent Language Models",
/// Algorithm 1, flat clipping): the unweighted sum of updates re-clipped to C, snapped to a power-of-two grid plus discrete
/// Gaussian noise of std ≥ σ·Δ (<see cref="GridGaussianMechanism"/>, safe in floating point; Δ = C + γ√d), over the
/// expected cohort q·N. The clipped sum exists only inside this object; the release is already noisy.
/// </summary>
/// <remarks>
/// With adaptive clipping (Andrew et al. 2021, Algorithm 1) the sum is noised at z_Δ (<see cref="PrivacyPlan.SumNoiseMultiplier"/>)
/// and the participants' reports r ∈ {−1, 0, +1} are summed and released with N_Z(0, ⌈(2σ_b)²⌉) from the exact sampler
/// (Canonne, Kamath &amp; Steinke 2020), as the noisy count of updates within C, (Σr + noise + n)/2. The pair is charged
/// the plan's σ (<see cref="AdaptiveClipping"/>). The exact report sum never leaves this object either.
/// </remarks>
/// <param name="selected">The cohort: at most one update per selected participant is aggregated, and the clipping margin
/// covers double rounding for that many (<see cref="ClippedUpdateSum"/>).</param>
/// <param name="testOnlyNoiseScale">Always 1 outside the audit's own tests (<see cref="TestOnlyNoise"/>): below 1 the noise
/// added is that fraction of what the ledger records.</param>
internal sealed class CentralGaussianAggregator(int parameterCount, PrivacyPlan plan, int eligible, int selected, double testOnlyNoiseScale = 1)
    : IUpdateAggregator
{
    private readonly ClippedUpdateSum _sum = new(parameterCount, plan.ClipNorm, Math.Max(1, selected));
    private long _reports;

    public int Count => _sum.Count;

    /// <summary>Example counts are computed on private data: a private round releases none.</summary>
    public long Examples => 0;

    /// <summary>Each update counts once, whatever its example count (that count is private too).</summary>
    public void Add(ReadOnlySpan<float> delta, long examples, int? clipReport = null)
    {
        if ((plan.AdaptiveClipping is not null) != (clipReport is not null) || clipReport is not (null or -1 or 0 or 1))
        {
            // The round grain refuses such updates; this guards the sensitivity the count is charged for.
            throw new ArgumentException("A clip report must be −1, 0 or +1, given exactly when the round adapts its clip norm.", nameof(clipReport));
        }
        _sum.Add(delta);
        _reports += clipReport ?? 0;
    }

    public AggregateRelease Release()
    {
        // The double sum is snapped as it is: narrowing it to float first would move ‖S − S′‖ past the charged C.
        var noisy = new float[_sum.Values.Length];
        var sensitivity = GridGaussianMechanism.AddNoise(_sum.Values, noisy, plan.ClipNorm, plan.SumNoiseMultiplier * testOnlyNoiseScale);
        double? count = null;
        if (plan.AdaptiveClipping is { } adaptive)
        {
            using var random = new CryptoRandom();
            var noise = new DiscreteGaussianSampler(checked((ulong)adaptive.ReportNoiseVariance)).Sample(random);
            count = AdaptiveClipping.UnclippedCount(_reports + noise, Count);
        }
        return new(ExpectedCohort.Mean(noisy, plan.SamplingRate, eligible), new NoiseInSum(plan.NoiseMultiplier, sensitivity, Count), count);
    }
}
