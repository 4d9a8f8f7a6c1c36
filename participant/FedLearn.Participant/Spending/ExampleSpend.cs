namespace FedLearn.Participant.Spending;

/// <summary>
/// The example-level part of a spend record: what this participant's DP-SGD spent on its own records. The record's
/// top-level fields are the participant-level (client-level) guarantee the coordinator's ledger tracks; this is the
/// guarantee for each individual record, computed and enforced here only.
/// </summary>
/// <param name="Steps">DP-SGD steps of this round.</param>
/// <param name="TotalSteps">DP-SGD steps of this session so far, this round included.</param>
/// <param name="Epsilon">Example-level ε after this round under <paramref name="Accountant"/>.</param>
/// <param name="CalibrationAttempts">The attempts σ was calibrated for (planned rounds plus the rerun allowance), when
/// this participant calibrated σ; null when σ was declared (or in logs written before it was recorded).</param>
/// <param name="SamplerTvDistance">η of this round: an upper bound on the total variation distance between its DP-SGD
/// noise and exact discrete Gaussian noise (steps × d × the sampler's per-coordinate bound), plus steps × p_tail for the
/// batches above B_max it would skip (FedLearn.Privacy's BatchSizeBound); null in older logs.</param>
/// <param name="DeltaTotal">The δ at which <paramref name="Epsilon"/> truly holds: min(1, δ + (1 + e^ε)·Ση) over every
/// DP-SGD round of the session so far (<see cref="FedLearn.Privacy.SamplerResidue.TotalDelta"/>); null in older logs.</param>
public sealed record ExampleSpend(
    double SamplingRate,
    double NoiseMultiplier,
    double ClipNorm,
    int Steps,
    int TotalSteps,
    double Delta,
    double EpsilonBudget,
    double Epsilon,
    string Accountant,
    int? CalibrationAttempts = null,
    double? SamplerTvDistance = null,
    double? DeltaTotal = null);
