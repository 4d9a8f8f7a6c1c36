namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>The denominator of a private round's mean.</summary>
internal static class ExpectedCohort
{
    /// <summary>
    /// The noisy sum over q·N: the fixed-denominator mean of DP-FedAvg (McMahan et al. 2018, §2, the estimator with the
    /// expected number of participants as denominator), so the denominator does not depend on who was sampled or who
    /// survived. N, the participants connected when the cohort was drawn, is public under zero-out adjacency (D1 in
    /// docs/threat-model.md): a participant whose data is zeroed out is still connected.
    /// </summary>
    public static float[] Mean(float[] noisySum, double samplingRate, int eligible)
    {
        var denominator = Math.Max(1.0, samplingRate * eligible);
        return [.. noisySum.Select(v => (float)(v / denominator))];
    }
}
