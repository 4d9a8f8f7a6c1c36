namespace FedLearn.Ledger;

/// <summary>
/// The verifier's verdict: every discrepancy found, plus the figures an auditor quotes, per guarantee level.
/// Participant-level figures are null when the ledger declares no participant-level guarantee; final ε figures are
/// those of the last entry (recorded) and of all entries' parameters (recomputed), null when there are no entries or
/// recomputation was impossible. Example-level figures are null when the ledger declares no example level; they are
/// what participants reported (the coordinator cannot recompute them without the participants' dataset sizes).
/// The against-the-coordinator figures are set only for a ledger whose header records them (secure aggregation).
/// The δ-total figures (the δ with the samplers' distance paid) are set only for accounting version 2.
/// </summary>
public sealed record LedgerVerificationReport(
    IReadOnlyList<LedgerDiscrepancy> Discrepancies,
    string SessionId,
    int EntryCount,
    string? EnforcedAccountant,
    double? EpsilonBudget,
    double? Delta,
    double? RecordedFinalEpsilonRdp,
    double? RecordedFinalEpsilonPld,
    double? RecomputedFinalEpsilonRdp,
    double? RecomputedFinalEpsilonPld,
    int PldPrefixesRecomputed,
    int PldPrefixesBracketed,
    ExampleLevelDeclaration? ExampleLevel = null,
    double? ExampleEpsilonMaxReported = null,
    string? NeighbouringRelation = null,
    string? AgainstCoordinator = null,
    double? RecordedFinalEpsilonAgainstCoordinatorRdp = null,
    double? RecordedFinalEpsilonAgainstCoordinatorPld = null,
    double? RecomputedFinalEpsilonAgainstCoordinatorRdp = null,
    double? RecomputedFinalEpsilonAgainstCoordinatorPld = null,
    int AccountingVersion = LedgerAccountingVersions.EpsilonOnly,
    double? RecordedFinalDeltaTotal = null,
    double? RecomputedFinalDeltaTotal = null,
    double? RecordedFinalDeltaTotalAgainstCoordinator = null,
    double? RecomputedFinalDeltaTotalAgainstCoordinator = null)
{
    public bool IsValid => Discrepancies.Count == 0;

    /// <summary>Discrepancies of one kind (see <see cref="LedgerDiscrepancyKinds"/>).</summary>
    public IEnumerable<LedgerDiscrepancy> OfKind(string kind) => Discrepancies.Where(d => d.Kind == kind);
}
