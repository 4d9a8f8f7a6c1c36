using System.Diagnostics;
using FedLearn.Coordinator.Grains.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// OpenTelemetry for the host (docs/operations.md): the coordinator's own meter and spans and
/// ASP.NET Core's server spans (one per gRPC call, continuing the caller's W3C trace context, without the caller's address). Metrics are scrapeable by
/// Prometheus at Coordinator:PrometheusUrl; metrics and traces go over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set (the
/// standard OTEL_* variables configure the exporter). The JSON log carries the trace and span id of each event (@tr, @sp).
/// </summary>
public static class CoordinatorTelemetryHosting
{
    public static void AddCoordinatorTelemetry(this WebApplicationBuilder builder, CoordinatorOptions options)
    {
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        Uri? prometheus = null;
        if (!string.IsNullOrWhiteSpace(options.PrometheusUrl)
            && !(Uri.TryCreate(options.PrometheusUrl, UriKind.Absolute, out prometheus) && prometheus.Scheme == Uri.UriSchemeHttp && prometheus.AbsolutePath == "/"))
        {
            throw new InvalidOperationException($"Coordinator:PrometheusUrl '{options.PrometheusUrl}' is not an http://HOST:PORT/ address such as http://127.0.0.1:9464/.");
        }
        if (prometheus is not null && !prometheus.IsLoopback && !options.PrometheusAllowNonLoopback)
        {
            throw new InvalidOperationException(
                $"Coordinator:PrometheusUrl '{options.PrometheusUrl}' is not a loopback address, and the listener is plain HTTP without authentication; " +
                "scrape through a loopback address, or set Coordinator:PrometheusAllowNonLoopback=true to serve it on a network only your monitoring reaches.");
        }
        if (!otlp && prometheus is null)
        {
            return;
        }
        var telemetry = builder.Services.AddOpenTelemetry();
        telemetry.WithMetrics(metrics =>
        {
            metrics.AddMeter(CoordinatorTelemetry.Name);
            if (prometheus is not null)
            {
                metrics.AddPrometheusHttpListener(listener => (listener.Host, listener.Port) = (prometheus.Host, prometheus.Port));
            }
            if (otlp)
            {
                metrics.AddOtlpExporter();
            }
        });
        if (otlp)
        {
            // Orleans' own grain-call spans are not exported: they name the grain called, and a participant grain's name
            // is the participant, so they would say who was sampled in each round, which the sampling proof keeps secret
            // from everyone but the coordinator (docs/threat-model.md). Their trace context still flows between grains.
            telemetry.WithTracing(tracing => tracing
                .AddSource(CoordinatorTelemetry.Name)
                .AddAspNetCoreInstrumentation()
                .AddProcessor(new CallerAddressRemover())
                .AddOtlpExporter());
        }
    }

    /// <summary>Drops the caller's network address from server spans: a participant's address identifies it as well as its name.</summary>
    private sealed class CallerAddressRemover : BaseProcessor<Activity>
    {
        private static readonly string[] Identifying = ["client.address", "client.port", "network.peer.address", "network.peer.port", "user_agent.original"];

        public override void OnEnd(Activity data)
        {
            foreach (var tag in Identifying)
            {
                data.SetTag(tag, null);
            }
        }
    }
}
