namespace FedLearn.Coordinator.Grains;

/// <summary>Everything an ML engineer fixes when creating a session. Validated by <c>SessionDefinitionValidator</c>.</summary>
[GenerateSerializer, Immutable, Alias("fedlearn.SessionDefinition")]
public sealed record SessionDefinition(
    [property: Id(0)] string Name,
    [property: Id(1)] ModelDefinition Model,
    [property: Id(2)] int Rounds,
    [property: Id(3)] int ParticipantsPerRound,
    [property: Id(4)] int MinParticipants,
    [property: Id(5)] int LocalEpochs,
    [property: Id(6)] int BatchSize,
    [property: Id(7)] double LearningRate,
    [property: Id(8)] double ServerLearningRate,
    [property: Id(9)] long Seed,
    [property: Id(10)] int RoundDeadlineSeconds,
    [property: Id(11)] PrivacyDefinition? Privacy = null,
    [property: Id(13)] ExamplePrivacyDefinition? ExamplePrivacy = null,
    // Only on the way in: the grain imports it and stores the weights as the initial checkpoint, never the bytes.
    [property: Id(12)] byte[]? InitialModelOnnx = null,
    // Null for sessions created before the limits existed: they run with RobustnessDefinition.Default.
    [property: Id(14)] RobustnessDefinition? Robustness = null,
    // Null for sessions created before server optimizers existed: they run FedAvg (w + η·Δ).
    [property: Id(15)] ServerOptimizerDefinition? ServerOptimizer = null,
    // μ of FedProx's proximal term (Li et al. 2020, eq. 2) in local training; 0 is plain local SGD.
    [property: Id(16)] double ProximalMu = 0);
