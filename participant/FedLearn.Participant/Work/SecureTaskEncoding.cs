using FedLearn.Privacy;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Participant.Work;

/// <summary>
/// The encoding a secure-aggregation task declares, derived exactly as the coordinator derives it (its
/// SecureAggregationEncoding): σ, C, γ, rotation and the model size, with the noise sized for the certainly honest shares
/// among the task's minimum survivors, s_min − c(n), c(n) the colluders a cohort of n may hold under the session's colluder
/// fraction ρ (<see cref="ColluderBound"/>, derived here, never taken from the coordinator).
/// One place, so the noise this participant adds and the σ it charges itself against the coordinator cannot disagree.
/// </summary>
public static class SecureTaskEncoding
{
    /// <exception cref="ArgumentException">The setup is unusable: a count out of range, or no certainly honest share at s_min.</exception>
    public static EncodingParameters For(RoundTask task, PrivacyParameters privacy)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(privacy);
        var setup = task.SecureAggregation ?? throw new ArgumentException("A round without secure aggregation.", nameof(task));
        if (task.ParameterCount is < 1 or > int.MaxValue)
        {
            throw new ArgumentException($"The task declares {task.ParameterCount} parameters.", nameof(task));
        }
        if (!(setup.Threshold >= 2 && setup.MinimumSurvivors >= setup.Threshold && setup.MinimumSurvivors <= setup.Participants))
        {
            // s_min below t could not unmask; above n could never be reached; 0 is a coordinator that does not declare it.
            throw new ArgumentException(
                $"The round declares {setup.MinimumSurvivors} minimum survivors of {setup.Participants} with threshold {setup.Threshold}.", nameof(task));
        }
        if (!(privacy.ColluderFraction is >= 0 and < 0.5))
        {
            throw new ArgumentException($"The round declares colluder fraction {privacy.ColluderFraction}; it must be in [0, 0.5).", nameof(task));
        }
        // With adaptive clipping the update sum carries z_Δ = (σ⁻² − (2σ_b)⁻²)^(−1/2), derived here from the declared σ and σ_b,
        // not taken from the coordinator's update_noise_multiplier (Andrew et al. 2021, §3).
        var sumNoise = privacy.AdaptiveClipping is { } adaptive
            ? AdaptiveClipping.UpdateNoiseMultiplier(privacy.NoiseMultiplier, adaptive.BitNoiseStddev)
            : privacy.NoiseMultiplier;
        var encoding = new EncodingParameters((int)task.ParameterCount, privacy.ClipNorm, setup.Gamma, sumNoise,
            setup.MinimumSurvivors, setup.Participants, setup.Rotate,
            AssumedColluders: ColluderBound.Colluders(setup.Participants, privacy.ColluderFraction));
        _ = encoding.GridNoiseVariance; // refuses an s_min at which every survivor may be a colluder
        return encoding;
    }
}
