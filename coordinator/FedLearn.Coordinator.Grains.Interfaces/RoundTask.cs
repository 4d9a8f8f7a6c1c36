namespace FedLearn.Coordinator.Grains;

/// <summary>A request that a selected participant trains for one round attempt.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.RoundTask")]
public sealed record RoundTask(
    [property: Id(0)] string SessionId,
    [property: Id(1)] int Round,
    [property: Id(2)] int Attempt,
    [property: Id(3)] ModelDefinition Model,
    [property: Id(4)] int LocalEpochs,
    [property: Id(5)] int BatchSize,
    [property: Id(6)] double LearningRate,
    [property: Id(7)] int ParameterCount,
    [property: Id(8)] string ModelSha256,
    [property: Id(9)] DateTimeOffset Deadline,
    [property: Id(10)] PrivacyPlan? Privacy = null,
    [property: Id(11)] int MinParticipants = 1,
    [property: Id(12)] double EpsilonSpent = 0,
    [property: Id(13)] SecureAggregationPlan? SecureAggregation = null,
    [property: Id(14)] ExamplePrivacyDefinition? ExamplePrivacy = null,
    [property: Id(15)] int PlannedRounds = 0,
    [property: Id(16)] string LedgerKeySha256 = "",
    [property: Id(17)] double ProximalMu = 0,
    [property: Id(18)] string TraceParent = "");
