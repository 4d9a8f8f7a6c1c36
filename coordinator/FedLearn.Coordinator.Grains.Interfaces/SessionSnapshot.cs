namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A point-in-time view of a session for the admin API. <see cref="Version"/> grows with every change.
/// <see cref="LedgerPublicKey"/> (the coordinator's signing key, never the one stored in the database) and its
/// <see cref="LedgerKeySha256"/> are set for a session with a privacy ledger; <see cref="LedgerKeyProblem"/> says when the
/// stored ledger header names another key; <see cref="ExampleEpsilonReported"/> is the
/// largest example-level ε participants reported in the committed rounds (sessions with an example-level guarantee).
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.SessionSnapshot")]
public sealed record SessionSnapshot(
    [property: Id(0)] string SessionId,
    [property: Id(1)] SessionDefinition Definition,
    [property: Id(2)] SessionState State,
    [property: Id(3)] int CompletedRounds,
    [property: Id(4)] int CurrentRound,
    [property: Id(5)] int CurrentAttempt,
    [property: Id(6)] int CurrentSelected,
    [property: Id(7)] int CurrentReported,
    [property: Id(8)] RoundSummary? LastRound,
    [property: Id(9)] string? Message,
    [property: Id(10)] DateTimeOffset CreatedAt,
    [property: Id(11)] DateTimeOffset UpdatedAt,
    [property: Id(12)] long Version,
    [property: Id(13)] PrivacySummary? Privacy = null,
    [property: Id(14)] string? LedgerPublicKey = null,
    [property: Id(15)] double? ExampleEpsilonReported = null,
    [property: Id(16)] string? LedgerKeySha256 = null,
    [property: Id(17)] string? LedgerKeyProblem = null)
{
    public bool IsFinished => State is SessionState.Completed or SessionState.BudgetExhausted
        or SessionState.Failed or SessionState.Stopped;
}
