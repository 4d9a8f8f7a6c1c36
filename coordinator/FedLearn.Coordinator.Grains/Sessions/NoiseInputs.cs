namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// What a private round's sensitivity, σ and sampler distance are computed from, recorded in its ledger entry (accounting
/// version 3, docs/ledger.md "Noise inputs") so an auditor re-derives them. The secure-aggregation members are null with
/// central noise.
/// </summary>
/// <param name="Dimension">d, the model's parameter count.</param>
/// <param name="GridScale">γ, the noise grid.</param>
/// <param name="IntegerNoiseVariance">σ_int²: central, the grid variance asked of the sampler; secure, each share's.</param>
/// <param name="PaddedDimension">D, the encoded length.</param>
/// <param name="ShamirThreshold">t.</param>
/// <param name="MinimumSurvivors">s_min.</param>
/// <param name="DropoutAllowance">a.</param>
/// <param name="CorruptionRate">ρ, the colluder fraction of the connected population.</param>
/// <param name="ReportNoiseVariance">Adaptive clipping with secure aggregation: each participant's share variance on its
/// report, max(8, ⌈(2σ_b)²/h⌉) (null otherwise: central noise records ⌈(2σ_b)²⌉ from the plan).</param>
/// <param name="AssumedColluders">Accounting version 6: c(n), the colluders the cohort is assumed to hold.</param>
/// <param name="ColluderTailProbability">Accounting version 6: δ_c, the bound on the probability that it holds more.</param>
public sealed record NoiseInputs(
    int Dimension, double GridScale, long IntegerNoiseVariance, int? PaddedDimension = null, int? ShamirThreshold = null,
    int? MinimumSurvivors = null, double? DropoutAllowance = null, double? CorruptionRate = null, long? ReportNoiseVariance = null,
    int? AssumedColluders = null, double? ColluderTailProbability = null);
