using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>The encoding both sides derive from a round's task, so participant and coordinator agree bit for bit.</summary>
public static class SecureAggregationEncoding
{
    public static EncodingParameters For(RoundTask task)
    {
        var privacy = task.Privacy ?? throw new InvalidOperationException("A secure-aggregation round needs privacy parameters.");
        var secure = task.SecureAggregation ?? throw new InvalidOperationException("The round has no secure-aggregation plan.");
        return For(secure, task.ParameterCount, privacy);
    }

    /// <summary>
    /// The encoding of a plan: noise sized for the plan's minimum survivors of its cohort, of whom only s_min − c(n) are
    /// certainly honest (c(n) from the plan's colluder fraction, <see cref="FedLearn.SecureAggregation.Noise.ColluderBound"/>).
    /// </summary>
    public static EncodingParameters For(SecureAggregationPlan secure, int dimension, PrivacyPlan privacy) =>
        new(dimension, privacy.ClipNorm, secure.Gamma, privacy.SumNoiseMultiplier, secure.MinimumSurvivors, secure.Participants, secure.Rotate,
            AssumedColluders: ColluderBound.Colluders(secure.Participants, privacy.ColluderFraction));

    /// <summary>
    /// The masked vector's length: the encoded update's D words, and with adaptive clipping one more, the participant's
    /// report r plus its noise share (Andrew et al. 2021, the clipped-count bit, inside the secure sum).
    /// </summary>
    public static int VectorLength(EncodingParameters encoding, PrivacyPlan privacy) =>
        encoding.PaddedDimension + (privacy.AdaptiveClipping is null ? 0 : 1);
}
