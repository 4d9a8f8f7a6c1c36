namespace FedLearn.Coordinator.Grains;

/// <summary>
/// What a round attempt starts with: who was selected, the model they train from, when it closes, and the session's bounds
/// on each participant's influence (null: the defaults). <see cref="Eligible"/> is N, the participants connected when the
/// cohort was drawn: a private aggregate is divided by the expected cohort q·N (public under zero-out adjacency,
/// docs/threat-model.md).
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.RoundPlan")]
public sealed record RoundPlan(
    [property: Id(0)] RoundTask Task,
    [property: Id(1)] IReadOnlyList<string> SelectedParticipants,
    [property: Id(2)] int MinParticipants,
    [property: Id(3)] float[] BaseWeights,
    [property: Id(4)] RobustnessDefinition? Robustness = null,
    [property: Id(5)] int Eligible = 0);
