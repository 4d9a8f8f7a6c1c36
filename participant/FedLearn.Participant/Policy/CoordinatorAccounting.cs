using FedLearn.Participant.Spending;
using FedLearn.Privacy;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation.Encoding;

namespace FedLearn.Participant.Policy;

/// <summary>
/// This participant's own participant-level guarantee against the coordinator (design decision D4). In a
/// secure-aggregation session the coordinator draws the cohort and knows who is in it, so amplification by sampling
/// does not hold against it (Kairouz et al. 2021, "Practical and Private (Deep) Learning without Sampling or
/// Shuffling", §1): each attempt this participant contributed a masked input to is a plain Gaussian mechanism (q = 1)
/// whose noise is what the honest survivors add. The attempts compose under the session's accountant (RDP of the
/// Gaussian: Mironov 2017, "Rényi Differential Privacy", Proposition 7; or its exact PLD). With central noise the
/// coordinator sees every clipped update before noising it: there is no guarantee against it, and none is claimed.
/// </summary>
public static class CoordinatorAccounting
{
    /// <summary>ρ, the fraction of colluding participants the SecAgg+ parameters assume (SecureAggregationPlanner: Bell
    /// et al. 2020, §3, with corruption rate 0.05).</summary>
    public const double CorruptionRate = 0.05;

    public const string CentralNoise = "central noise: the coordinator sees every clipped update before it adds the noise";

    public const string NoParticipantLevel = "no participant-level differential privacy";

    /// <summary>
    /// The guarantee against the coordinator after this attempt: <paramref name="sessionHistory"/> holds this
    /// participant's earlier spend records of the same session, every attempt it contributed to (none de-duplicated).
    /// </summary>
    /// <exception cref="ArgumentException">The task's parameters are not usable (the guard checks them first).</exception>
    public static CoordinatorGuarantee Assess(RoundTask task, IReadOnlyList<SpendRecord> sessionHistory)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(sessionHistory);
        var privacy = task.Privacy;
        if (privacy is null)
        {
            return CoordinatorGuarantee.None(NoParticipantLevel);
        }
        if (privacy.Mechanism != PolicyGuard.DistributedDiscreteGaussian || task.SecureAggregation is null)
        {
            return CoordinatorGuarantee.None(CentralNoise);
        }
        var steps = new List<SubsampledGaussianStep>();
        foreach (var earlier in sessionHistory)
        {
            if (earlier.CoordinatorNoiseMultiplier is not { } sigma)
            {
                // One update the coordinator saw without a bound voids the bound for the session.
                return CoordinatorGuarantee.None(
                    $"round {earlier.Round} attempt {earlier.Attempt} of this session gave no guarantee against the coordinator " +
                    $"({earlier.NoGuaranteeAgainstCoordinator ?? "none recorded"})");
            }
            steps.Add(new SubsampledGaussianStep(1.0, sigma));
        }
        var noise = NoiseMultiplier(task, privacy);
        steps.Add(new SubsampledGaussianStep(1.0, noise));
        var epsilon = Accountants.Create(Accountants.ParseOrDefault(privacy.Accountant)).GetEpsilon(steps, privacy.Delta);
        return new CoordinatorGuarantee(noise, epsilon, null);
    }

    /// <summary>
    /// σ of one attempt against the coordinator: of the t survivors a round may be unmasked with, only the honest
    /// (1 − ρ)·t are sure to add their noise; each adds a discrete Gaussian of variance σ_int² on the grid, computed
    /// here from the declared σ, C, γ and t (never taken from the coordinator), and one participant's encoded update
    /// moves the sum by at most Δ₂ on the grid (Kairouz, Liu &amp; Steinke 2021, Theorem 1 and Algorithm 1). So
    /// σ = √((1 − ρ)·t·σ_int²) / Δ₂, the planner's worst case (SecureAggregationPlanner.WorstCaseNoiseMultiplier)
    /// with only the honest share counted.
    /// </summary>
    public static double NoiseMultiplier(RoundTask task, PrivacyParameters privacy)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(privacy);
        var setup = task.SecureAggregation ?? throw new ArgumentException("A round without secure aggregation.", nameof(task));
        if (task.ParameterCount is < 1 or > int.MaxValue)
        {
            throw new ArgumentException($"The task declares {task.ParameterCount} parameters.", nameof(task));
        }
        var encoding = new EncodingParameters((int)task.ParameterCount, privacy.ClipNorm, setup.Gamma, privacy.NoiseMultiplier, setup.Threshold, setup.Rotate);
        var honestShares = (1 - CorruptionRate) * setup.Threshold;
        return Math.Sqrt(honestShares * encoding.GridNoiseVariance) / encoding.GridSensitivity;
    }
}
