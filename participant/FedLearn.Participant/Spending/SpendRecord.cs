namespace FedLearn.Participant.Spending;

/// <summary>
/// One line of the spend log: an attempt of a round this participant trained for and sent (or was about to send) an
/// update for. Lines are identified by (session, round, attempt) and never merged: every attempt trained for is spent.
/// Privacy fields are null for a session without differential privacy (mechanism "none"), whose ε is unbounded.
/// </summary>
/// <param name="Time">When the line was written (UTC), just before anything from the round left the machine.</param>
/// <param name="Epsilon">ε after this round, computed locally with <paramref name="Accountant"/>.</param>
/// <param name="CoordinatorEpsilonSpent">ε the coordinator's ledger declared before this round.</param>
/// <param name="Example">The example-level (DP-SGD) spend of the round, when the session asked for it; the fields above are
/// the participant-level guarantee.</param>
/// <param name="CoordinatorNoiseMultiplier">σ of this attempt against the coordinator (q = 1; secure aggregation only).</param>
/// <param name="EpsilonAgainstCoordinator">Participant-level ε against the coordinator after this attempt, composed over
/// every attempt of the session this participant contributed to (same δ and accountant as <paramref name="Epsilon"/>);
/// null when there is no such guarantee.</param>
/// <param name="NoGuaranteeAgainstCoordinator">Why there is no participant-level guarantee against the coordinator (central
/// noise, or no participant-level privacy); null when <paramref name="EpsilonAgainstCoordinator"/> is one.</param>
/// <param name="LedgerKeySha256">The fingerprint (SHA-256 of the SubjectPublicKeyInfo, hex) of the key the round task said
/// signs the session's ledger; null when the task named none (a session without a ledger, or an older coordinator).
/// Recorded here, outside the coordinator's database, so <c>check-ledger</c> can catch a ledger re-signed with another key.</param>
public sealed record SpendRecord(
    DateTimeOffset Time,
    string ParticipantId,
    string SessionId,
    int Round,
    int Attempt,
    string Mechanism,
    double? SamplingRate,
    double? NoiseMultiplier,
    double? ClipNorm,
    double? Delta,
    double? EpsilonBudget,
    double? Epsilon,
    string? Accountant,
    double CoordinatorEpsilonSpent,
    ExampleSpend? Example = null,
    double? CoordinatorNoiseMultiplier = null,
    double? EpsilonAgainstCoordinator = null,
    string? NoGuaranteeAgainstCoordinator = null,
    string? LedgerKeySha256 = null)
{
    public const string NoMechanism = "none";
}
