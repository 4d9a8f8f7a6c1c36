using Orleans.Concurrency;

namespace FedLearn.Coordinator.Grains;

/// <summary>
/// One round of a session (key: "{sessionId}/{round}"). Hands out the base model to selected participants, takes their
/// updates until everyone reported or the deadline passed, and keeps only the running weighted sum of the updates.
/// </summary>
public interface IRoundGrain : IGrainWithStringKey
{
    /// <summary>Opens a new attempt of this round, discarding anything left of an earlier attempt.</summary>
    Task Begin(RoundPlan plan);

    /// <summary>
    /// The base model, serialized once per attempt, for a participant selected in the open attempt; null if it was not
    /// selected. A plain read, so it interleaves with the round's other calls instead of queueing behind them.
    /// </summary>
    [AlwaysInterleave]
    Task<ServedModel?> DownloadModel(string participantId);

    /// <summary>
    /// How many values an update from this participant must hold, or null when it may not upload now (not selected,
    /// round closed). Checked before an upload is read, so a forged header cannot make the coordinator allocate. A plain
    /// read, so it interleaves with the round's other calls.
    /// </summary>
    [AlwaysInterleave]
    Task<int?> ExpectedUpdateLength(string participantId);

    /// <summary>Adds a participant's update to the aggregate, or says why not (late, not selected, replayed, malformed).</summary>
    Task<UpdateReceipt> SubmitUpdate(ModelUpdate update);

    /// <summary>One secure-aggregation stage: a participant's message (send stages) or its awaited output (wait stages).</summary>
    Task<SecureStageReply> SecureAggregationStep(string participantId, int attempt, SecureAggregationStage stage, byte[] payload);

    /// <summary>
    /// A participant's masked input (uint32 vector on Z_2^32) in a secure-aggregation round, with its example-level ε when
    /// the session declares that level.
    /// </summary>
    Task<UpdateReceipt> SubmitMaskedInput(string participantId, int attempt, uint[] values, double? exampleEpsilon = null);

    /// <summary>Records metrics a participant measured locally, or says why they were dropped (bounds, round, privacy).</summary>
    Task<UpdateReceipt> ReportMetrics(LocalMetricsReport report);

    /// <summary>Progress of the open or most recent attempt.</summary>
    Task<RoundProgress> GetProgress();

    /// <summary>Abandons the open attempt (the session stopped).</summary>
    Task Cancel();
}
