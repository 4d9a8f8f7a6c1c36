using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Persistence;
using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// Keeps running sessions running. A session's grain drives its rounds on a timer in the silo that holds it, and Orleans
/// reactivates a grain only when something calls it: after a restart, or after the silo that held it died in a cluster,
/// nothing would. So every silo wakes the grain of each running session (PostgreSQL says which) at start-up and then
/// every Coordinator:Cluster:ResumeIntervalSeconds; a grain that is active answers at once, one that was lost activates on
/// a live silo and carries on from its last committed round. Each session is woken on its own: one that cannot be resumed
/// (say, a damaged checkpoint) is logged and the others resume. Which activation may commit a round is decided by the
/// database, not by this wake-up (docs/architecture.md "Cluster").
/// </summary>
public sealed partial class RunningSessionsResumer(
    SessionRepository sessions, IGrainFactory grains, IOptions<CoordinatorOptions> options, ILogger<RunningSessionsResumer> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.Cluster.ResumeIntervalSeconds));
        var first = true;
        do
        {
            await WakeRunningSessionsAsync(first, stoppingToken);
            first = false;
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private async Task WakeRunningSessionsAsync(bool atStartUp, CancellationToken stoppingToken)
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
                if (atStartUp)
                {
                    LogResumed(session.SessionId);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Typically the silo holding it has just died and the cluster has not declared it dead yet: the next pass retries.
                LogResumeFailed(e, session.SessionId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resumed running session {SessionId}")]
    private partial void LogResumed(string sessionId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not list the running sessions to resume")]
    private partial void LogListFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake session {SessionId}; trying again on the next pass")]
    private partial void LogResumeFailed(Exception e, string sessionId);
}
