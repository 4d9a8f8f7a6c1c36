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
    /// s_min − c(n) certainly honest survivors (c(n) = <see cref="Colluders"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The cohort cannot open (<see cref="WhyNotOpen"/>).</exception>
    public static SecureAggregationPlan Plan(int participants, int dimension, PrivacyPlan privacy, int minimum = MinimumCohort)
    {
        if (WhyNotOpen(participants, privacy, minimum) is { } reason)
        {
            throw new ArgumentException($"A secure round cannot open with {participants} participants: {reason}.", nameof(participants));
        }
        var colluders = Colluders(participants, privacy);
        var graph = Graph(participants, colluders)!;
        var minimumSurvivors = DistributedNoiseGuarantee.MinimumSurvivors(participants, graph.Threshold, minimum, privacy.DropoutAllowance);
        var gamma = privacy.ClipNorm / GridPointsPerClipNorm;
        EncodingParameters encoding;
        // Coarsen the grid until the sum of all participants' encoded updates and noise fits in 32 bits without wrapping.
        while ((encoding = new EncodingParameters(dimension, privacy.ClipNorm, gamma, privacy.SumNoiseMultiplier, minimumSurvivors, participants,
                   AssumedColluders: colluders))
               .RequiredModulusBits(participants) > 32)
        {
            gamma *= 2;
        }
        return new SecureAggregationPlan(-1, participants, graph.Neighbors, graph.Threshold, RandomNumberGenerator.GetBytes(16),
            RandomNumberGenerator.GetBytes(16), gamma, encoding.Rotate, RandomNumberGenerator.GetBytes(32), encoding.GridNoiseVariance,
            minimumSurvivors);
    }

    /// <summary>
    /// c(n): the colluders a cohort of n drawn under the plan's colluder fraction ρ may hold, exceeded with probability at
    /// most δ_c = <see cref="ColluderBound.FailureProbability"/> (<see cref="ColluderBound"/>; review-10 S2).
    /// </summary>
    public static int Colluders(int participants, PrivacyPlan privacy) => ColluderBound.Colluders(participants, privacy.ColluderFraction);

    /// <summary>
    /// Why a secure round cannot open with a cohort of <paramref name="participants"/>, or null when it can: fewer than
    /// the round's minimum, a cohort whose c(n) colluders could reach the Shamir threshold of full SecAgg even at t = n − 1
    /// (they would rebuild an honest participant's secrets and unmask its input), or whose c(n) colluders could be all of the
    /// s_min survivors (no noise would certainly count). Such a draw is sent nothing; a private session commits its round
    /// unchanged and charged.
    /// </summary>
    public static string? WhyNotOpen(int participants, PrivacyPlan privacy, int minimum = MinimumCohort)
    {
        if (participants < Math.Max(MinimumCohort, minimum))
        {
            return $"at least {Math.Max(MinimumCohort, minimum)} are required";
        }
        var colluders = Colluders(participants, privacy);
        if (Graph(participants, colluders) is not { } graph)
        {
            return $"with colluder fraction ρ = {privacy.ColluderFraction:G3} such a cohort may hold {colluders} colluders, who could reach the Shamir threshold";
        }
        var minimumSurvivors = DistributedNoiseGuarantee.MinimumSurvivors(participants, graph.Threshold, minimum, privacy.DropoutAllowance);
        return minimumSurvivors > colluders
            ? null
            : $"with colluder fraction ρ = {privacy.ColluderFraction:G3} such a cohort may hold {colluders} colluders, as many as the {minimumSurvivors} survivors it unmasks with, so no noise would certainly count";
    }

    /// <summary>
    /// The noise multiplier the round guarantees whoever drops and whoever is corrupt: s_min survivors, of whom only the
    /// s_min − c(n) certainly honest count, with the τ term of a sum of discrete Gaussians
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
    /// SecAgg+ (k, t) for 5% dropout and the cohort's colluders c(n) as its corruption rate c(n)/n (Bell et al. 2020, §3,
    /// whose conditions treat each neighbour as corrupt independently at that rate); small cohorts, or no SecAgg+ graph,
    /// use full SecAgg (k = n − 1) with t = max(⌊k/2⌋ + 1, c(n) + 1) over the k neighbours who hold each participant's shares:
    /// t &gt; k/2 keeps two disjoint sets of holders from both reaching the threshold (Bell et al. 2020, §4), t &gt; c(n) keeps
    /// the colluders from rebuilding an honest participant's secrets from their own shares (Bonawitz et al. 2017, §4,
    /// semi-honest security holds for fewer than t corrupt), and k − t neighbours may drop out. Null when t would exceed k.
    /// </summary>
    private static SecAggParameters? Graph(int participants, int colluders)
    {
        if (participants >= SmallCohort)
        {
            try
            {
                var chosen = SecAggParameters.Choose(participants, dropoutRate: 0.05, corruptionRate: (double)colluders / participants);
                if (chosen.Neighbors < participants - 1)
                {
                    return chosen;
                }
            }
            catch (ArgumentException)
            {
                // No (k, t) meets the bounds; fall through to full SecAgg.
            }
        }
        var neighbors = participants - 1;
        var threshold = Math.Max((neighbors / 2) + 1, colluders + 1);
        return threshold <= neighbors ? SecAggParameters.Full(participants, threshold) : null;
    }
}
