using System.Reflection;
using System.Threading.Channels;
using FedLearn.Protos.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace FedLearn.Participant.Work;

/// <summary>
/// The daemon's main loop: register, hold the work stream open, and reconnect with backoff whenever the coordinator goes
/// away (with several coordinator addresses, at the next one: docs/operations.md "Running a cluster"). Tasks run on their own loop so the stream keeps being read (heartbeats) while a round trains, and a task that
/// is under way when the stream drops still finishes and uploads.
/// </summary>
public sealed partial class ParticipantWorker(
    ParticipantSettings settings, long numExamples, RoundExecutor executor, ILogger<ParticipantWorker> logger)
{
    private static readonly string ClientVersion =
        typeof(ParticipantWorker).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private readonly Channel<RoundTask> _tasks = Channel.CreateUnbounded<RoundTask>(new UnboundedChannelOptions { SingleReader = true });

    public async Task RunAsync(CancellationToken ct)
    {
        using var channel = new CoordinatorChannel(settings);
        var worker = Task.Run(() => ExecuteTasksAsync(channel, ct), ct);
        // After a renewal the work stream reopens on a connection that presents the new certificate.
        var renewal = settings.Credentials is { } credentials
            ? Task.Run(() => new CertificateRenewer(credentials, channel, RestartStream, logger).RunAsync(ct), ct)
            : Task.CompletedTask;
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), settings.MaxBackoff);
        while (!ct.IsCancellationRequested)
        {
            using var stream = CancellationTokenSource.CreateLinkedTokenSource(ct);
            _stream = stream;
            try
            {
                var client = channel.Participant;
                await client.RegisterAsync(new RegisterRequest
                {
                    ParticipantId = settings.ParticipantId,
                    NumExamples = numExamples,
                    ClientVersion = ClientVersion,
                }, cancellationToken: ct);
                using var call = client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = settings.ParticipantId }, cancellationToken: stream.Token);
                LogConnected(settings.ParticipantId, channel.Address);
                backoff.Reset();
                executor.Resources.Tally.StreamOpened();
                try
                {
                    await foreach (var item in call.ResponseStream.ReadAllAsync(stream.Token))
                    {
                        if (item.ItemCase == WorkItem.ItemOneofCase.RoundTask)
                        {
                            await _tasks.Writer.WriteAsync(item.RoundTask, ct);
                        }
                    }
                }
                finally
                {
                    executor.Resources.Tally.StreamClosed();
                }
                LogStreamEnded();
                FailOver(channel);
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                if (e.StatusCode is StatusCode.InvalidArgument or StatusCode.PermissionDenied or StatusCode.Unauthenticated)
                {
                    throw new InvalidOperationException($"The coordinator refused this participant: {e.Status.Detail}", e);
                }
                LogConnectionLost(e.StatusCode, e.Status.Detail);
                if (e.StatusCode == StatusCode.Unavailable)
                {
                    FailOver(channel);
                }
            }
            catch (HttpRequestException e) when (!ct.IsCancellationRequested)
            {
                LogConnectionLost(StatusCode.Unavailable, e.Message);
                FailOver(channel);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                LogConnectionLost(StatusCode.Cancelled, "the work stream reopens with the renewed certificate");
            }
            catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or RpcException { StatusCode: StatusCode.Cancelled })
            {
                break;
            }
            var delay = backoff.NextDelay();
            LogReconnecting(delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, ct);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        _tasks.Writer.TryComplete();
        try
        {
            await worker;
            await renewal;
        }
        catch (OperationCanceledException)
        {
            // Shutting down.
        }
    }

    private CancellationTokenSource? _stream;

    /// <summary>The coordinator in use went away or closed the stream: the next connection goes to the next address, if any.</summary>
    private void FailOver(CoordinatorChannel channel)
    {
        if (channel.Failover())
        {
            LogFailover(channel.Address);
        }
    }

    private void RestartStream()
    {
        try
        {
            _stream?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // That stream has already ended.
        }
    }

    private async Task ExecuteTasksAsync(CoordinatorChannel channel, CancellationToken ct)
    {
        await foreach (var task in _tasks.Reader.ReadAllAsync(ct))
        {
            try
            {
                await executor.ExecuteAsync(channel.Participant, task, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e) when (e is RpcException or IOException or InvalidDataException or ArgumentException or HttpRequestException
                                              or System.Security.Cryptography.CryptographicException
                                              or SecureAggregation.Protocol.SecAggAbortedException or OperationCanceledException)
            {
                // The round goes on without this update; the coordinator's deadline takes care of it. Everything that can
                // go wrong before the upload (a spend log that cannot be read or written, a model that does not match,
                // a share that does not decrypt, a protocol abort) leaves nothing sent.
                executor.Resources.Tally.TaskFailed();
                LogTaskFailed(task.SessionId, task.Round, e.Message);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // A bug, not a condition of this round: say so loudly, but keep serving the next rounds rather than
                // leave a daemon that is connected yet never trains again.
                executor.Resources.Tally.TaskFailed();
                LogTaskCrashed(e, task.SessionId, task.Round);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} connected to {Coordinator}; waiting for work")]
    private partial void LogConnected(string participantId, Uri coordinator);

    [LoggerMessage(Level = LogLevel.Information, Message = "The coordinator closed the work stream")]
    private partial void LogStreamEnded();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the coordinator ({Status}: {Detail})")]
    private partial void LogConnectionLost(StatusCode status, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Switching to coordinator {Coordinator}")]
    private partial void LogFailover(Uri coordinator);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reconnecting in {Seconds:F1} s")]
    private partial void LogReconnecting(double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} round {Round}: could not take part: {Reason}")]
    private partial void LogTaskFailed(string sessionId, int round, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId} round {Round}: unexpected error; this round is skipped, the daemon carries on")]
    private partial void LogTaskCrashed(Exception exception, string sessionId, int round);
}
