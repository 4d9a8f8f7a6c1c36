using FedLearn.Participant.Spending;
using FedLearn.Participant.Work;
using FedLearn.Privacy;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Participant.Policy;

/// <summary>
/// This participant's own participant-level guarantee against the coordinator (design decision D4). In a
/// secure-aggregation session the coordinator draws the cohort and knows who is in it, so amplification by sampling
/// does not hold against it (Kairouz et al. 2021, "Practical and Private (Deep) Learning without Sampling or
/// Shuffling", §1): each attempt this participant contributed a masked input to is a plain Gaussian mechanism (q = 1)
/// whose noise is what the certainly honest survivors add (s_min − c(n) of them, c(n) the colluders the cohort may hold
/// under the session's colluder fraction ρ, <see cref="ColluderBound"/>): the same σ the coordinator charged the attempt.
/// The attempts compose under the session's accountant (RDP of the Gaussian: Mironov 2017, "Rényi Differential
/// Privacy", Proposition 7; or its exact PLD). With central noise the
/// coordinator sees every clipped update before noising it: there is no guarantee against it, and none is claimed.
/// </summary>
public static class CoordinatorAccounting
{
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
    /// σ of one attempt against the coordinator: the noise of the s_min survivors a round may be unmasked with
    /// (<c>SecureAggregationSetup.minimum_survivors</c>; the coordinator aborts with fewer and this participant refuses to
    /// unmask fewer), counting only the s_min − c(n) certainly honest shares of the cohort of n (the corrupt never drop
    /// out; c(n) is exceeded with probability at most 2⁻⁴⁰, which the ledger adds to delta_total), charged as a sum of discrete Gaussians with its τ term, over the grid sensitivity after rounding (the library's
    /// one function for it, <see cref="EncodingParameters.EffectiveNoiseMultiplier"/>: Kairouz, Liu &amp; Steinke 2021,
    /// Theorem 1 and Prop. 14; Bell et al. 2020, §3 for the corruption bound). Computed here from the declared σ, C, γ,
    /// ρ, s_min, n and the model size, never taken from the coordinator; it is exactly the σ the coordinator charges the
    /// attempt with when it opens, in the ledger's figures for both adversaries.
    /// </summary>
    public static double NoiseMultiplier(RoundTask task, PrivacyParameters privacy)
    {
        var encoding = SecureTaskEncoding.For(task, privacy);
        // Adaptive clipping: the attempt also releases the noisy count of reports, and is charged the pair's joint σ.
        var sigma = privacy.AdaptiveClipping is { } adaptive
            ? AdaptiveClipping.SecureJointNoiseMultiplier(encoding, adaptive.BitNoiseStddev)
            : encoding.EffectiveNoiseMultiplier();
        return sigma > 0 && double.IsFinite(sigma)
            ? sigma
            : throw new ArgumentException($"The round's noise gives σ = {sigma} against the coordinator.", nameof(task));
    }
}
