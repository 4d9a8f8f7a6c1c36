using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Encoding;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// What an attempt of a private session is charged, decided before it opens (D2/D5 in docs/threat-model.md): whatever
/// becomes of the attempt — it commits, aborts, or is lost in a crash — its round commits with this charge or a smaller ε.
/// </summary>
internal static class AttemptCharges
{
    /// <summary>
    /// An attempt with a secure-aggregation plan: the least noise the sum can carry — t survivors, of whom only the honest
    /// ⌊(1 − ρ)·t⌋ count, over the rounding-inflated sensitivity (<see cref="SecureAggregationPlanner.WorstCaseNoiseMultiplier"/>,
    /// Kairouz, Liu &amp; Steinke 2021, Prop. 14). The ledger composes the same σ with q = 1 for the worst case against the
    /// coordinator (D4), which knows the cohort but sees only the masked sum and its honest noise.
    /// </summary>
    public static AttemptCharge Secure(SecureAggregationPlan secure, int dimension, PrivacyPlan privacy)
    {
        var encoding = new EncodingParameters(dimension, privacy.ClipNorm, secure.Gamma, privacy.NoiseMultiplier, secure.Threshold, secure.Rotate);
        return new AttemptCharge(SecureAggregationPlanner.WorstCaseNoiseMultiplier(secure, dimension, privacy), encoding.EffectiveSensitivity());
    }

    /// <summary>
    /// An attempt of a central-noise session (the plan's σ over the sensitivity the grid mechanism charges, C + γ√d), or a
    /// draw below the minimum cohort, to which nothing is sent and which releases nothing: any Gaussian step bounds it, and
    /// the plan's σ keeps the ledger on the planned schedule.
    /// </summary>
    public static AttemptCharge Planned(PrivacyPlan privacy, int dimension) => new(privacy.NoiseMultiplier,
        privacy.SecureAggregation ? privacy.ClipNorm : GridGaussianMechanism.ChargedSensitivity(privacy.ClipNorm, privacy.NoiseMultiplier, dimension));
}
