namespace FedLearn.Ledger;

/// <summary>
/// The example-level (per-record) guarantee a session declares: every participant trains with DP-SGD (per-example
/// clipping to <paramref name="ClipNorm"/>, Gaussian noise, Poisson-sampled minibatches of expected size
/// <paramref name="ExpectedBatchSize"/>), composes its steps over every round it joins with <paramref name="Accountant"/>,
/// and refuses to train past <paramref name="EpsilonBudget"/> at <paramref name="Delta"/>. The coordinator cannot recompute
/// this ε (it does not know the participants' dataset sizes); each entry records the largest ε the aggregated
/// participants reported, which each data owner can check against its own spend log.
/// </summary>
/// <param name="NoiseMultiplier">DP-SGD noise multiplier σ, or 0: each participant calibrates σ to its own dataset size so
/// that the session's planned rounds plus a rerun allowance fit the budget.</param>
/// <param name="CalibrationAttempts">The attempts a participant that calibrates σ calibrates it for: the planned rounds
/// plus max(3, ⌈rounds / 4⌉) reruns (<see cref="FedLearn.Privacy.CalibrationAttempts.For"/>). Present exactly in headers
/// of accounting version 2; null in ledgers written before it was declared.</param>
public sealed record ExampleLevelDeclaration(
    double EpsilonBudget,
    double Delta,
    string Accountant,
    double ClipNorm,
    double NoiseMultiplier,
    int ExpectedBatchSize,
    int? CalibrationAttempts = null);
