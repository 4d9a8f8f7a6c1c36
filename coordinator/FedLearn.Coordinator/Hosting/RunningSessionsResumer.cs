using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Persistence;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// After a restart, wakes the grains of sessions that were running so they carry on from their last checkpoint. Each
/// session is woken on its own: one that cannot be resumed (say, a damaged checkpoint) is logged and the others resume.
/// </summary>
public sealed partial class RunningSessionsResumer(
    SessionRepository sessions, IGrainFactory grains, ILogger<RunningSessionsResumer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IReadOnlyList<SessionRecord> running;
        try
        {
            running = await sessions.ListAsync(SessionState.Running, stoppingToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogListFailed(e);
            return;
        }
        foreach (var session in running)
        {
            try
            {
                await grains.GetGrain<ISessionGrain>(session.SessionId).GetSnapshot();
                LogResumed(session.SessionId);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogResumeFailed(e, session.SessionId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed running session {SessionId}")]
    private partial void LogResumed(string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not list the running sessions to resume")]
    private partial void LogListFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not resume session {SessionId}; resuming the others")]
    private partial void LogResumeFailed(Exception e, string sessionId);
}
