using FedLearn.Participant.Work;
using Microsoft.Extensions.Logging;

namespace FedLearn.Cli.Audit;

/// <summary>
/// The canary daemons' log: warnings and errors go to stderr (a canary that cannot take part weakens the audit, and the
/// operator should know why), and <see cref="Connected"/> completes when the daemon says it holds its work stream open,
/// which is when the coordinator counts it among the participants it samples from.
/// </summary>
internal sealed class ConnectionSignal(string canaryId) : ILogger<ParticipantWorker>, ILogger<RoundExecutor>
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Connected => _connected.Task;

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public ILogger<RoundExecutor> ForExecutor => this;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel == LogLevel.Information && formatter(state, exception).Contains(" connected to ", StringComparison.Ordinal))
        {
            _connected.TrySetResult();
        }
        else if (logLevel >= LogLevel.Warning)
        {
            Console.Error.WriteLine($"{canaryId}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}");
        }
    }
}
