namespace FedLearn.Coordinator.Grains;

/// <summary>
/// How far one participant can move the model, in every session, private or not: a bound on each update's L2 norm, a cap
/// on the FedAvg weight (num_examples) an update may claim, and the rule that combines the updates. Zero or empty members
/// mean the defaults below (<see cref="WithDefaults"/>); a session created before these limits existed runs with
/// <see cref="Default"/>. Validated by <c>SessionDefinitionValidator</c>; documented on RobustnessConfig in admin.proto.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.RobustnessDefinition")]
public sealed record RobustnessDefinition(
    [property: Id(0)] double MaxUpdateNorm,
    [property: Id(1)] string UpdateNormPolicy,
    [property: Id(2)] long MaxExamplesPerParticipant,
    [property: Id(3)] string Aggregation,
    [property: Id(4)] double TrimFraction)
{
    public const double DefaultMaxUpdateNorm = 100;
    public const long DefaultMaxExamplesPerParticipant = 1_000_000;
    public const double DefaultTrimFraction = 0.1;

    /// <summary>Largest allowed max_examples_per_participant: 10^12 · (at most ~9·10^6 updates) still fits a long.</summary>
    public const long MaxExamplesLimit = 1_000_000_000_000;

    public const double MaxUpdateNormLimit = 1e9;

    public const string Clip = "clip";
    public const string Reject = "reject";
    public const string Mean = "mean";
    public const string Median = "median";
    public const string TrimmedMean = "trimmed_mean";

    public static readonly RobustnessDefinition Default =
        new(DefaultMaxUpdateNorm, Reject, DefaultMaxExamplesPerParticipant, Mean, DefaultTrimFraction);

    /// <summary>True for the coordinate-wise rules, which need every update of the round (not just their sum).</summary>
    public bool IsRobustAggregation => Aggregation is Median or TrimmedMean;

    /// <summary>The same limits with every unset (0 or empty) member replaced by its default, and the words in lower case.</summary>
    public RobustnessDefinition WithDefaults() => new(
        MaxUpdateNorm == 0 ? DefaultMaxUpdateNorm : MaxUpdateNorm,
        string.IsNullOrWhiteSpace(UpdateNormPolicy) ? Reject : UpdateNormPolicy.Trim().ToLowerInvariant(),
        MaxExamplesPerParticipant == 0 ? DefaultMaxExamplesPerParticipant : MaxExamplesPerParticipant,
        string.IsNullOrWhiteSpace(Aggregation) ? Mean : Aggregation.Trim().ToLowerInvariant(),
        TrimFraction == 0 ? DefaultTrimFraction : TrimFraction);
}
