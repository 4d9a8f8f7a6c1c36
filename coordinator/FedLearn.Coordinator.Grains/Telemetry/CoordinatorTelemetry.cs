using System.Diagnostics;
using System.Diagnostics.Metrics;
using FedLearn.Coordinator.Grains.Persistence;

namespace FedLearn.Coordinator.Grains.Telemetry;

/// <summary>
/// The coordinator's OpenTelemetry instruments (meter and activity source "FedLearn.Coordinator"; docs/operations.md lists
/// them). Attributes carry session ids, outcomes and reason categories only: never update values, participant ids or
/// per-participant example counts, so nothing here is privacy-sensitive in a private session.
/// </summary>
public static class CoordinatorTelemetry
{
    public const string Name = "FedLearn.Coordinator";

    private static readonly Meter Meter = new(Name);

    public static readonly ActivitySource Source = new(Name);

    private static readonly Counter<long> RoundsCommitted = Meter.CreateCounter<long>(
        "fedlearn.rounds.committed", "{round}", "Rounds committed; outcome 'aggregated', or 'unchanged' for a private round that committed the model unchanged and charged.");

    private static readonly Counter<long> AttemptsNotAggregated = Meter.CreateCounter<long>(
        "fedlearn.attempts.failed", "{attempt}", "Attempts that released no aggregate, by reason category and by what became of them (aborted and retried, or committed unchanged).");

    private static readonly Histogram<double> RoundDuration = Meter.CreateHistogram<double>(
        "fedlearn.round.duration", "s", "From an attempt's opening to its round's commit.");

    private static readonly Gauge<double> EpsilonSpent = Meter.CreateGauge<double>(
        "fedlearn.epsilon.spent", null, "Participant-level ε spent by a session after its latest committed round, per accountant and adversary.");

    private static readonly Counter<long> UpdatesReceived = Meter.CreateCounter<long>(
        "fedlearn.updates.received", "{update}", "Model updates accepted from participants.");

    private static readonly Counter<long> BytesReceived = Meter.CreateCounter<long>(
        "fedlearn.update.bytes.received", "By", "Bytes of model updates received.");

    private static readonly Counter<long> BytesSent = Meter.CreateCounter<long>(
        "fedlearn.model.bytes.sent", "By", "Bytes of models sent to participants.");

    private static readonly UpDownCounter<long> ParticipantsConnected = Meter.CreateUpDownCounter<long>(
        "fedlearn.participants.connected", "{participant}", "Participants with an open work stream.");

    private static readonly Histogram<double> SecureStageDuration = Meter.CreateHistogram<double>(
        "fedlearn.secagg.stage.duration", "s", "How long each secure-aggregation stage stayed open.");

    /// <summary>A round is in PostgreSQL: count it, time it (also as a span from opening to commit) and show the ε it brought the session to.</summary>
    public static void RoundCommitted(RoundCommit commit)
    {
        var session = new KeyValuePair<string, object?>("session_id", commit.SessionId);
        RoundsCommitted.Add(1, session, new("outcome", commit.UnchangedReason is null ? "aggregated" : "unchanged"));
        if (commit.UnchangedReason is { } reason)
        {
            AttemptsNotAggregated.Add(1, session, new("reason", ReasonCategory(reason)), new("settled", "committed_unchanged"));
        }
        var summary = commit.Summary;
        RoundDuration.Record((summary.CompletedAt - summary.StartedAt).TotalSeconds, session);
        // In the attempt's trace, beside its opening span and the participants' spans, when this activation opened it.
        var trace = ActivityContext.TryParse(commit.TraceParent, null, isRemote: false, out var opened) ? opened : default;
        using (var span = Source.StartActivity("fedlearn.round", ActivityKind.Internal, parentContext: trace, startTime: summary.StartedAt))
        {
            span?.SetTag("session_id", commit.SessionId);
            span?.SetTag("round", summary.Round);
            span?.SetTag("attempt", summary.Attempt);
            span?.SetTag("outcome", commit.UnchangedReason is null ? "aggregated" : "unchanged");
            span?.SetEndTime(summary.CompletedAt.UtcDateTime);
        }
        if (commit.Ledger is { } entry)
        {
            Record(entry.EpsilonRdp, "rdp", "release_consumers");
            Record(entry.EpsilonPld, "pld", "release_consumers");
            Record(entry.EpsilonAgainstCoordinatorRdp, "rdp", "coordinator");
            Record(entry.EpsilonAgainstCoordinatorPld, "pld", "coordinator");
        }

        void Record(double? epsilon, string accountant, string adversary)
        {
            if (epsilon is { } value)
            {
                EpsilonSpent.Record(value, session, new("accountant", accountant), new("adversary", adversary));
            }
        }
    }

    /// <summary>
    /// The opening of a round attempt: the root span of a new trace (not a child of the tick or call that opened it), current
    /// while the attempt is recorded and its tasks are pushed. Its W3C context travels in every task (RoundTask.traceparent),
    /// so the participants' spans, their calls for the task and the round's commit span all join that trace. Null when no
    /// one records traces.
    /// </summary>
    public static Activity? StartRoundOpening(string sessionId, int round)
    {
        var caller = Activity.Current;
        Activity.Current = null;
        var span = Source.StartActivity("fedlearn.round.open", ActivityKind.Internal);
        if (span is null)
        {
            Activity.Current = caller;
            return null;
        }
        span.SetTag("session_id", sessionId);
        span.SetTag("round", round);
        return span;
    }

    public static void AttemptAborted(string sessionId, string reason) =>
        AttemptsNotAggregated.Add(1, new("session_id", sessionId), new("reason", ReasonCategory(reason)), new("settled", "aborted"));

    public static void UpdateReceived(string sessionId, long bytes)
    {
        UpdatesReceived.Add(1, new KeyValuePair<string, object?>("session_id", sessionId));
        BytesReceived.Add(bytes, new KeyValuePair<string, object?>("session_id", sessionId));
    }

    public static void ModelSent(string sessionId, long bytes) => BytesSent.Add(bytes, new KeyValuePair<string, object?>("session_id", sessionId));

    public static void WorkStreamOpened() => ParticipantsConnected.Add(1);

    public static void WorkStreamClosed() => ParticipantsConnected.Add(-1);

    public static void SecureStageClosed(string sessionId, string stage, TimeSpan open) =>
        SecureStageDuration.Record(open.TotalSeconds, new("session_id", sessionId), new("stage", stage));

    /// <summary>
    /// A bounded label for why an attempt released nothing. The reasons themselves are sentences with counts in them;
    /// as attribute values they would make a new time series per count.
    /// </summary>
    public static string ReasonCategory(string reason) => reason switch
    {
        _ when reason.Contains("while unmasking", StringComparison.Ordinal) => "secure_aggregation_unmasking",
        _ when reason.Contains("secure aggregation", StringComparison.Ordinal) => "secure_aggregation",
        _ when reason.Contains("lost", StringComparison.Ordinal) => "lost_in_restart",
        _ when reason.Contains("updates arrived", StringComparison.Ordinal) => "too_few_updates",
        _ when reason.Contains("Poisson sampling", StringComparison.Ordinal) => "too_few_sampled",
        _ when reason.Contains("stopped", StringComparison.Ordinal) => "session_stopped",
        _ => "other",
    };
}
