using System.Diagnostics;
using FedLearn.Protos.V1;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace FedLearn.Participant.Telemetry;

/// <summary>
/// The participant's traces (activity source "FedLearn.Participant"; docs/operations.md "Metrics and traces"). Each round
/// task is one span in the trace of the coordinator's attempt, whose W3C context the task carries (RoundTask.traceparent):
/// while it is current, the task's gRPC calls carry it in their <c>traceparent</c> header (HttpClient propagates the
/// current activity), so the coordinator's spans for the download and upload join the same trace, and the daemon's log
/// lines carry its trace id. Attributes are the session, round and attempt only: no data, no update, no example count.
/// </summary>
public static class ParticipantTelemetry
{
    public const string Name = "FedLearn.Participant";

    /// <summary>The OpenTelemetry service name of the participant daemon's spans.</summary>
    public const string ServiceName = "fedlearn-participant";

    private static readonly ActivitySource Source = new(Name);

    /// <summary>
    /// Starts the span of one round task. With nobody recording spans it still joins the coordinator's trace (a bare
    /// activity carrying the task's context), so the calls it makes propagate it; null when the task carries no context and
    /// nobody records.
    /// </summary>
    public static Activity? StartTask(RoundTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var hasParent = ActivityContext.TryParse(task.Traceparent, null, isRemote: true, out var parent);
        var span = Source.StartActivity("fedlearn.participant.round", ActivityKind.Internal, hasParent ? parent : default);
        if (span is null && hasParent)
        {
            span = new Activity("fedlearn.participant.round").SetParentId(parent.TraceId, parent.SpanId, parent.TraceFlags).Start();
        }
        span?.SetTag("session_id", task.SessionId);
        span?.SetTag("round", task.Round);
        span?.SetTag("attempt", task.Attempt);
        return span;
    }

    /// <summary>
    /// Exports the daemon's spans over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the standard OTEL_* variables configure
    /// the exporter, as for the coordinator); null otherwise. Dispose it to flush what is left.
    /// </summary>
    public static TracerProvider? ExportIfConfigured() =>
        string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("OTEL_EXPORTER_OTLP_ENDPOINT"))
            ? null
            : Sdk.CreateTracerProviderBuilder()
                .SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(ServiceName))
                .AddSource(Name)
                .AddOtlpExporter()
                .Build();
}
