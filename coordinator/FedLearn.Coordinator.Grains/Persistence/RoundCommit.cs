using FedLearn.Coordinator.Grains.Optimization;
using LedgerEntry = FedLearn.Ledger.LedgerEntry;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>
/// Everything a committed round writes, atomically: the new checkpoint, the round record, the session's new state and,
/// for a private session, the ledger entry (unsealed: the writer adds sequence, chain link, hash and signature).
/// <see cref="UnchangedReason"/> says why a private round committed with the model unchanged (stored with the round).
/// <see cref="OptimizerState"/> is the server optimizer's state after the round, null for a stateless optimizer (FedAvg).
/// </summary>
public sealed record RoundCommit(
    string SessionId,
    RoundSummary Summary,
    float[] Weights,
    SessionState NewState,
    string? Message,
    LedgerEntry? Ledger = null,
    string? UnchangedReason = null,
    ServerOptimizerState? OptimizerState = null,
    string? TraceParent = null);
