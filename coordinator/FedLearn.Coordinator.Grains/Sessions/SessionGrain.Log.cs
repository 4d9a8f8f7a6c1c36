using Microsoft.Extensions.Logging;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>The session grain's log messages: ids, counts and states only, never weights or updates.</summary>
public sealed partial class SessionGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Created session {SessionId} ({Name}) with {Parameters} parameters")]
    private partial void LogCreated(string sessionId, string name, int parameters);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} is now {State} {Message}")]
    private partial void LogStateChanged(string sessionId, SessionState state, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming session {SessionId} at round {Round}")]
    private partial void LogResuming(string sessionId, int round);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} opened round {Round} attempt {Attempt}")]
    private partial void LogOpened(string sessionId, int round, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} committed round {Round} from {Participants} updates; test accuracy {Accuracy:P2}")]
    private partial void LogCommitted(string sessionId, int round, int participants, double accuracy);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} round {Round} attempt {Attempt} aborted: {Reason}")]
    private partial void LogAborted(string sessionId, int round, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Session {SessionId}: a round step failed; retrying on the next tick")]
    private partial void LogTickFailed(Exception e, string sessionId);
}
