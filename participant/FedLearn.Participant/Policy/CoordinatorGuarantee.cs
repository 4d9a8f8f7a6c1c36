namespace FedLearn.Participant.Policy;

/// <summary>
/// This participant's participant-level guarantee against the coordinator itself, as it stands after one attempt
/// (design decision D4, docs/threat-model.md). Either a number or the reason there is none, never both.
/// </summary>
/// <param name="NoiseMultiplier">σ of this attempt as a Gaussian mechanism against the coordinator (q = 1, sensitivity
/// = the rounding-inflated clip norm); null when the attempt gives no guarantee against it.</param>
/// <param name="Epsilon">ε against the coordinator after this attempt, composed over every attempt of the session this
/// participant contributed to; null when there is no guarantee.</param>
/// <param name="NoGuarantee">Why there is no bound against the coordinator; null when <paramref name="Epsilon"/> is one.</param>
public sealed record CoordinatorGuarantee(double? NoiseMultiplier, double? Epsilon, string? NoGuarantee)
{
    public static CoordinatorGuarantee None(string reason) => new(null, null, reason);
}
