using FedLearn.Identity;
using FedLearn.Participant.Encoding;
using FedLearn.Participant.Work;
using FedLearn.Training;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog;
using Serilog.Extensions.Logging;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// A participant running the daemon's own client code (register, work stream, train, encode, upload) inside the test process,
/// with the daemon's default encoders and its no-policy-file guard; it keeps no spend log.
/// </summary>
internal sealed class InProcessParticipant : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly RoundExecutor _executor;
    private readonly Task _run;
    private readonly ILoggerFactory _loggers;

    /// <summary>Logs to FEDLEARN_TEST_LOG_DIR/participant-&lt;id&gt;.log when that is set, for diagnosis; otherwise nowhere.</summary>
    private static ILoggerFactory CreateLoggers(string id) =>
        Environment.GetEnvironmentVariable("FEDLEARN_TEST_LOG_DIR") is { Length: > 0 } directory
            ? new SerilogLoggerFactory(new LoggerConfiguration().WriteTo.File(Path.Combine(directory, $"participant-{id}.log")).CreateLogger(), dispose: true)
            : NullLoggerFactory.Instance;

    public InProcessParticipant(Uri coordinator, string id, Dataset data)
    {
        // Enrolled with a certificate for its id, from the test coordinator's CA.
        var credentials = TestCoordinator.For(coordinator).IssueCredentials(id, Roles.Participant);
        var settings = new ParticipantSettings(coordinator, id, TimeSpan.FromSeconds(2), Credentials: credentials);
        _loggers = CreateLoggers(id);
        _executor = new RoundExecutor(settings, data, UpdateEncoders.Default(), _loggers.CreateLogger<RoundExecutor>());
        var worker = new ParticipantWorker(settings, data.Count, _executor, _loggers.CreateLogger<ParticipantWorker>());
        _run = Task.Run(() => worker.RunAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _executor.Dispose();
        _stop.Dispose();
        _loggers.Dispose();
    }
}
