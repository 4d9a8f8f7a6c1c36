using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Protos.V1;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace FedLearn.IntegrationTests;

/// <summary>
/// The metrics and traces of a real private session: scraped by Prometheus from Coordinator:PrometheusUrl, and exported
/// over OTLP (HTTP/protobuf) to a collector that records what arrives. The figures must be the session's, and no
/// participant id may appear in any of it. A round is one trace across the coordinator and a participant daemon that
/// exports its own spans, and both sides' logs carry its trace id.
/// </summary>
public sealed partial class TelemetryTests : IAsyncLifetime
{
    private const int Rounds = 3;

    private readonly ConcurrentQueue<(string Path, byte[] Body)> _otlp = new();
    private WebApplication _collector = null!;
    private TestFederation _federation = null!;
    private int _prometheusPort;
    private string _logs = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _collector = await StartCollectorAsync();
        _prometheusPort = FreePort.Next();
        _logs = Directory.CreateTempSubdirectory("fedlearn-test-logs-").FullName;
        _federation = await TestFederation.StartAsync(participants: 4, examplesEach: 60, idPrefix: "otel-p", coordinatorSettings: new Dictionary<string, string?>
        {
            ["Coordinator:PrometheusUrl"] = $"http://127.0.0.1:{_prometheusPort}/",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Urls.First(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["Coordinator:LogDirectory"] = _logs,
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _federation.DisposeAsync();
        await _collector.DisposeAsync();
        Directory.Delete(_logs, recursive: true);
    }

    [Fact]
    public async Task ARound_IsOneTraceOnBothSides_ParticipantSpansAndCallsJoinIt_LogsCarryItsTraceId()
    {
        var admin = _federation.Coordinator.Admin;
        // A daemon that exports its own spans to the same collector (its operator's, in real life).
        using var daemon = new ParticipantProcess(_federation.Coordinator.Address.ToString(),
            _federation.Coordinator.IssueCredentials("traced", FedLearn.Identity.Roles.Participant).Directory, "traced",
            Path.Combine(_federation.DataDirectory, "participant-0.csv"), new Dictionary<string, string>
            {
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = _collector.Urls.First(),
                ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
                ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            }, "--spend-log", Path.Combine(_logs, "traced-spent.jsonl"));
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 5, Ct);
        // Everyone connected is in the one round.
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 5, min: 5, deadlineSeconds: 60);
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        Assert.Equal(SessionState.Completed, (await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(120))).State);

        // The daemon's log line for its upload ends with the trace id of the attempt it belongs to.
        var uploaded = await WaitForAsync(() => TracedUpload().Match(daemon.Output) is { Success: true } m && m.Groups["session"].Value == created.SessionId ? m : null);
        var traceId = uploaded.Groups["trace"].Value;
        var traceBytes = Convert.FromHexString(traceId);

        // Over OTLP: the daemon's span (service fedlearn-participant) and the coordinator's spans of that trace — the round's
        // opening and commit, and the server span of the daemon's upload, which joined it through the traceparent header.
        await WaitForAsync(() => Traces().Any(b => Has(b, "fedlearn-participant") && Has(b, "fedlearn.participant.round") && Contains(b, traceBytes)) ? "" : null);
        await WaitForAsync(() => Traces().Any(b => !Has(b, "fedlearn-participant") && Has(b, "fedlearn.round") && Contains(b, traceBytes)) ? "" : null);
        await WaitForAsync(() => Traces().Any(b => !Has(b, "fedlearn-participant") && Has(b, "UploadUpdate") && Contains(b, traceBytes)) ? "" : null);

        // The coordinator's JSON log: the attempt's opening carries the same trace id.
        var opened = $"\"Session {{SessionId}} opened round {{Round}} attempt {{Attempt}}\"";
        await WaitForAsync(() => CoordinatorLogLines().Any(l => l.Contains(opened, StringComparison.Ordinal)
            && l.Contains(created.SessionId, StringComparison.Ordinal) && l.Contains($"\"@tr\":\"{traceId}\"", StringComparison.Ordinal)) ? "" : null);
    }

    private IEnumerable<byte[]> Traces() => _otlp.Where(m => m.Path == "/v1/traces").Select(m => m.Body);

    private static bool Has(byte[] body, string text) => Contains(body, Encoding.UTF8.GetBytes(text));

    private static bool Contains(byte[] body, byte[] part) => body.AsSpan().IndexOf(part) >= 0;

    private IEnumerable<string> CoordinatorLogLines()
    {
        foreach (var file in Directory.GetFiles(_logs, "coordinator-*.json"))
        {
            // Shared: the coordinator still has it open for appending.
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                yield return line;
            }
        }
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> found) where T : class
    {
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        waited.CancelAfter(TimeSpan.FromSeconds(60));
        while (true)
        {
            if (found() is { } value)
            {
                return value;
            }
            await Task.Delay(200, waited.Token);
        }
    }

    [GeneratedRegex(@"Session (?<session>\S+) round 1: update accepted .* (?<trace>[0-9a-f]{32})\s*$", RegexOptions.Multiline)]
    private static partial Regex TracedUpload();

    [Fact]
    public async Task PrometheusOnANonLoopbackAddress_RefusedUnlessExplicitlyAllowed()
    {
        await using var database = await TestDatabase.CreateAsync();
        // This machine's own non-loopback address: one the listener can bind, reachable from the network.
        var address = System.Net.NetworkInformation.NetworkInterface.GetAllNetworkInterfaces()
            .Where(i => i.OperationalStatus == System.Net.NetworkInformation.OperationalStatus.Up)
            .SelectMany(i => i.GetIPProperties().UnicastAddresses).Select(a => a.Address)
            .First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !System.Net.IPAddress.IsLoopback(a));
        var network = new Dictionary<string, string?> { ["Coordinator:PrometheusUrl"] = $"http://{address}:{FreePort.Next()}/" };
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => TestCoordinator.StartAsync(database.ConnectionString, null, settings: network));
        Assert.Contains("PrometheusAllowNonLoopback", refused.Message, StringComparison.Ordinal);

        network["Coordinator:PrometheusAllowNonLoopback"] = "true";
        await using var allowed = await TestCoordinator.StartAsync(database.ConnectionString, null, settings: network);
    }

    [Fact]
    public async Task APrivateSession_IsCountedInPrometheusAndOtlp_WithoutParticipantIds()
    {
        var admin = _federation.Coordinator.Admin;
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: Rounds, perRound: 4, min: 1, deadlineSeconds: 20);
        config.Privacy = new PrivacyConfig
        {
            EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 0.9, CentralNoise = true,
        };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(120));
        Assert.Equal(SessionState.Completed, final.State);
        var ledger = LedgerJson.Deserialize((await admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        var aggregated = ledger.Entries.Sum(e => e.ParticipantsAggregated);
        var session = created.SessionId;

        // Prometheus: rounds, updates and the ε the ledger records, labelled with the session.
        using var http = new HttpClient();
        var scraped = await http.GetStringAsync(new Uri($"http://127.0.0.1:{_prometheusPort}/metrics"), Ct);
        Assert.Equal(Rounds, Sum(scraped, "fedlearn_rounds_committed_total", session));
        Assert.Equal(aggregated, Sum(scraped, "fedlearn_updates_received_total", session));
        Assert.Equal(ledger.Entries[^1].EpsilonRdp!.Value, Sum(scraped, "fedlearn_epsilon_spent", session, "accountant=\"rdp\"", "adversary=\"release_consumers\""), 9);
        Assert.Equal(ledger.Entries[^1].EpsilonPld!.Value, Sum(scraped, "fedlearn_epsilon_spent", session, "accountant=\"pld\""), 9);
        Assert.True(Sum(scraped, "fedlearn_model_bytes_sent_bytes_total", session) > 0, scraped);
        Assert.Equal(Rounds, Sum(scraped, "fedlearn_round_duration_seconds_count", session));
        Assert.DoesNotContain("otel-p", scraped, StringComparison.Ordinal);

        // OTLP: the same metrics, and a span per committed round, reach the collector.
        using var waited = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        waited.CancelAfter(TimeSpan.FromSeconds(30));
        while (!(Received("/v1/metrics", "fedlearn.rounds.committed") && Received("/v1/traces", "fedlearn.round") && Received("/v1/traces", session)))
        {
            await Task.Delay(200, waited.Token);
        }
        Assert.All(_otlp, message => Assert.DoesNotContain("otel-p", Encoding.UTF8.GetString(message.Body), StringComparison.Ordinal));
    }

    private bool Received(string path, string text) =>
        _otlp.Any(m => m.Path == path && Encoding.UTF8.GetString(m.Body).Contains(text, StringComparison.Ordinal));

    /// <summary>The sum of a metric's samples whose labels include the session (and every other label given).</summary>
    private static double Sum(string exposition, string metric, string sessionId, params string[] labels)
    {
        var total = 0.0;
        foreach (Match sample in Sample().Matches(exposition))
        {
            var (name, labelText, value) = (sample.Groups["name"].Value, sample.Groups["labels"].Value, sample.Groups["value"].Value);
            if (name == metric && labelText.Contains($"session_id=\"{sessionId}\"", StringComparison.Ordinal) && labels.All(l => labelText.Contains(l, StringComparison.Ordinal)))
            {
                total += double.Parse(value, CultureInfo.InvariantCulture);
            }
        }
        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?<labels>[^}]*)\} (?<value>\S+)", RegexOptions.Multiline)]
    private static partial Regex Sample();

    /// <summary>An OTLP/HTTP receiver that keeps every request body it is sent (the protobuf carries names and attribute values as UTF-8).</summary>
    private async Task<WebApplication> StartCollectorAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{FreePort.Next()}");
        var app = builder.Build();
        foreach (var path in new[] { "/v1/metrics", "/v1/traces", "/v1/logs" })
        {
            app.MapPost(path, async (HttpRequest request) =>
            {
                using var body = new MemoryStream();
                await request.Body.CopyToAsync(body);
                _otlp.Enqueue((path, body.ToArray()));
                return Results.Ok();
            });
        }
        await app.StartAsync();
        return app;
    }
}
