using FedLearn.Privacy;
using FedLearn.Coordinator.Grains.Rounds;
using System.Security.Cryptography;
using FedLearn.SecureAggregation;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// Chooses a secure-aggregation round's public parameters once its cohort is sampled: the SecAgg+ graph and threshold,
/// the encoding grid, and fresh seeds (CSPRNG) for the round id, the graph and the rotation.
/// </summary>
public static class SecureAggregationPlanner
{
    /// <summary>
    /// c = C/γ, grid points per clip norm. The rounding inflation of the sensitivity is about D/(8c²) relative — 0.2% for
    /// D = 2^18 — and the per-participant grid noise σ·c/√t stays small enough to sample fast.
    /// </summary>
    public const double GridPointsPerClipNorm = 4096;

    /// <summary>
    /// The smallest cohort a secure round opens with: with two, each participant could subtract its own input from the
    /// sum and read the other's. Three give k = 2, t = 2 (no dropout tolerated); four give k = 3, t = 2 (one).
    /// </summary>
    public const int MinimumCohort = 3;

    /// <summary>Below this many participants Bell et al.'s bounds cannot reach 2^−40, so rounds use full SecAgg.</summary>
    public const int SmallCohort = 100;

    /// <summary>
    /// The plan for a cohort of <paramref name="participants"/>: graph and threshold t, the minimum survivors
    /// s_min = max(t, <paramref name="minimum"/>, n − ⌈a·n⌉) with a the plan's dropout allowance
    /// (<see cref="DistributedNoiseGuarantee.MinimumSurvivors"/>), the grid, and each share's noise sized for the
    /// s_min − ⌊ρ·n⌋ certainly honest survivors.
    /// </summary>
    public static SecureAggregationPlan Plan(int participants, int dimension, PrivacyPlan privacy, int minimum = MinimumCohort)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(participants, MinimumCohort);
        var graph = Graph(participants);
        var minimumSurvivors = DistributedNoiseGuarantee.MinimumSurvivors(participants, graph.Threshold, minimum, privacy.DropoutAllowance);
        var gamma = privacy.ClipNorm / GridPointsPerClipNorm;
        EncodingParameters encoding;
        // Coarsen the grid until the sum of all participants' encoded updates and noise fits in 32 bits without wrapping.
        while ((encoding = new EncodingParameters(dimension, privacy.ClipNorm, gamma, privacy.SumNoiseMultiplier, minimumSurvivors, participants))
               .RequiredModulusBits(participants) > 32)
        {
            gamma *= 2;
        }
        return new SecureAggregationPlan(-1, participants, graph.Neighbors, graph.Threshold, RandomNumberGenerator.GetBytes(16),
            RandomNumberGenerator.GetBytes(16), gamma, encoding.Rotate, RandomNumberGenerator.GetBytes(32), encoding.GridNoiseVariance,
            minimumSurvivors);
    }

    /// <summary>
    /// The noise multiplier the round guarantees whoever drops and whoever is corrupt: s_min survivors, of whom only the
    /// s_min − ⌊ρ·n⌋ certainly honest count, with the τ term of a sum of discrete Gaussians
    /// (<see cref="EncodingParameters.EffectiveNoiseMultiplier"/>, the same library function a participant uses for its
    /// guarantee against the coordinator). The attempt is charged this σ when it opens, whatever it ends with. With
    /// adaptive clipping it is the joint σ of the update sum and the report sum (<see cref="AdaptiveClipping.SecureJointNoiseMultiplier"/>).
    /// </summary>
    public static double WorstCaseNoiseMultiplier(SecureAggregationPlan plan, int dimension, PrivacyPlan privacy)
    {
        var encoding = SecureAggregationEncoding.For(plan, dimension, privacy);
        return privacy.AdaptiveClipping is { } adaptive
            ? AdaptiveClipping.SecureJointNoiseMultiplier(encoding, adaptive.BitNoiseStddev)
            : encoding.EffectiveNoiseMultiplier();
    }

    /// <summary>
    /// SecAgg+ (k, t) for 5% dropout and ρ = 5% corrupt participants (Bell et al. 2020, §3; ρ is also the share of noise that
    /// is not counted, <see cref="DistributedNoiseGuarantee.AssumedCorruptionRate"/>); small cohorts use full SecAgg (k = n − 1)
    /// with t = ⌊k/2⌋ + 1 over the k neighbours who hold each participant's shares: t &gt; k/2 keeps two disjoint sets of holders
    /// from both reaching the threshold (Bell et al. 2020, §4), and k − t neighbours may drop out.
    /// </summary>
    private static SecAggParameters Graph(int participants)
    {
        if (participants >= SmallCohort)
        {
            try
            {
                return SecAggParameters.Choose(participants, dropoutRate: 0.05, corruptionRate: DistributedNoiseGuarantee.AssumedCorruptionRate);
            }
            catch (ArgumentException)
            {
                // No (k, t) meets the bounds; fall through to full SecAgg.
            }
        }
        return SecAggParameters.Full(participants, (participants - 1) / 2 + 1);
    }
}
