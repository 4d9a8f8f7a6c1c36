using FedLearn.Coordinator.Grains.Persistence;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// One round's draw and what becomes of it. In a private session the Poisson draw is the charged step whatever its size
/// (D2, docs/threat-model.md) and is never redrawn: a draw below the minimum cohort, or a secure cohort that cannot open
/// (<see cref="SecureAggregationPlanner.WhyNotOpen"/>), is sent nothing and commits the round unchanged; any other opens, with a secure-aggregation plan in secure mode. Either way the charge is fixed here.
/// </summary>
/// <param name="Selected">The cohort.</param>
/// <param name="Charge">The step's privacy charge; null without participant-level privacy.</param>
/// <param name="SecureAggregation">The cohort's secure-aggregation plan, when the round runs one.</param>
/// <param name="UndersizedReason">Why a private draw cannot open (the round then commits unchanged); null otherwise.</param>
public sealed record RoundDraw(
    IReadOnlyList<AvailableParticipant> Selected, AttemptCharge? Charge, SecureAggregationPlan? SecureAggregation, string? UndersizedReason)
{
    /// <summary>
    /// Draws the cohort from the connected participants: Poisson(q) in a private session, otherwise up to
    /// <paramref name="participantsPerRound"/> uniformly without replacement.
    /// </summary>
    public static RoundDraw Draw(
        IReadOnlyList<AvailableParticipant> available, PrivacyPlan? privacy, int participantsPerRound, int minimum, int dimension)
    {
        if (privacy is null)
        {
            return new(ParticipantSampler.SampleWithoutReplacement(available, participantsPerRound), null, null, null);
        }
        var selected = ParticipantSampler.SamplePoisson(available, privacy.SamplingRate);
        if (selected.Count < minimum)
        {
            return new(selected, AttemptCharges.Planned(privacy, dimension, opens: false), null, $"at least {minimum} are required, so the round commits unchanged");
        }
        if (!privacy.SecureAggregation)
        {
            return new(selected, AttemptCharges.Planned(privacy, dimension, opens: true), null, null);
        }
        if (SecureAggregationPlanner.WhyNotOpen(selected.Count, privacy, minimum) is { } reason)
        {
            // The colluders a cohort this small may hold (review-10 S2) leave it no safe threshold or no certainly honest noise.
            return new(selected, AttemptCharges.Planned(privacy, dimension, opens: false), null, $"{reason}, so the round commits unchanged");
        }
        var secure = SecureAggregationPlanner.Plan(selected.Count, dimension, privacy, minimum);
        return new(selected, AttemptCharges.Secure(secure, dimension, privacy), secure, null);
    }
}
