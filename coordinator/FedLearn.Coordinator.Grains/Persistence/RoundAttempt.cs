namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>
/// A round attempt as recorded when it opened, before any task was pushed. <see cref="Charge"/> is set in a session with
/// participant-level privacy: what the attempt costs whatever becomes of it. <see cref="TraceParent"/> is the W3C trace
/// context of the attempt's trace while this activation holds it (not stored: a restart starts new traces).
/// </summary>
public sealed record RoundAttempt(int Round, int Attempt, DateTimeOffset OpenedAt, int ParticipantsSelected, AttemptCharge? Charge)
{
    public string? TraceParent { get; init; }
}

/// <summary>
/// The privacy charge of one attempt of a private session, fixed before the attempt opened: the least noise it can carry,
/// <see cref="NoiseMultiplier"/> over <see cref="Sensitivity"/>; and, for the ledger, the inputs they were derived from and
/// the samplers' distance η of what the attempt may release, computed from the attempt's own plan when it opened (so a
/// commit after a crash records what the attempt ran with, review-10 S8d). Both null in attempts recorded before they were
/// stored.
/// </summary>
public sealed record AttemptCharge(
    double NoiseMultiplier, double Sensitivity, Sessions.NoiseInputs? Inputs = null, double? SamplerDistance = null);
