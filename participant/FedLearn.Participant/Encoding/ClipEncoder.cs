using Microsoft.Extensions.Logging;

namespace FedLearn.Participant.Encoding;

/// <summary>
/// Scales the update down to the task's <c>clip_norm</c> (L2) when the round is differentially private, so that one
/// participant's contribution to the sum is bounded by C: the sensitivity the coordinator's Gaussian noise is calibrated
/// to. Updates already within C, and rounds without privacy, pass through unchanged.
/// </summary>
/// <remarks>
/// A local result that is not finite (NaN or ±∞, e.g. training diverged on this participant's data) becomes the zero
/// update in a round with participant-level privacy, which then goes on as usual (noise share and masks in secure
/// aggregation). Dropping out instead would make this participant's absence, which the counts publish, depend on its data;
/// the zero update is exactly what its zero-out neighbour sends (docs/threat-model.md, D1), so sending it releases nothing
/// the guarantee does not cover. A warning is logged, without any value of the update. A round without participant-level
/// privacy passes the update on unchanged and the coordinator refuses a non-finite upload (the participant is then not
/// aggregated, as before).
/// </remarks>
public sealed partial class ClipEncoder(ILogger? logger = null) : IUpdateEncoder
{
    public float[] Encode(float[] update, Work.RoundContext round)
    {
        ArgumentNullException.ThrowIfNull(update);
        ArgumentNullException.ThrowIfNull(round);
        var privacy = round.Task.Privacy;
        if (privacy is null)
        {
            return update;
        }
        var clipNorm = privacy.ClipNorm;
        if (!(clipNorm > 0) || !double.IsFinite(clipNorm))
        {
            throw new InvalidDataException($"The task's clip norm must be a finite number > 0; got {clipNorm}.");
        }
        var norm = L2Norm(update);
        if (!double.IsFinite(norm))
        {
            // The zero-out neighbour's update (see the class remarks). Finite floats cannot get here: their squares sum in double.
            if (logger is not null)
            {
                LogNonFiniteUpdate(logger, round.Task.SessionId, round.Task.Round, round.Task.Attempt);
            }
            return new float[update.Length];
        }
        if (norm <= clipNorm)
        {
            return update;
        }

        var clipped = new float[update.Length];
        var scale = (float)(clipNorm / norm);
        Scale(update, scale, clipped);
        // Rounding to float can leave the result a hair above C; the bound is the privacy guarantee, so it must hold exactly.
        while (L2Norm(clipped) > clipNorm)
        {
            scale = MathF.BitDecrement(scale);
            Scale(update, scale, clipped);
        }
        return clipped;
    }

    internal static double L2Norm(ReadOnlySpan<float> values)
    {
        var sum = 0.0;
        foreach (var v in values)
        {
            sum += (double)v * v;
        }
        return Math.Sqrt(sum);
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Session {SessionId} round {Round} attempt {Attempt}: the local update is not finite (training diverged); sending the zero update instead, as the zero-out neighbour would")]
    private static partial void LogNonFiniteUpdate(ILogger logger, string sessionId, int round, int attempt);

    private static void Scale(float[] source, float scale, float[] destination)
    {
        for (var i = 0; i < source.Length; i++)
        {
            destination[i] = source[i] * scale;
        }
    }
}
