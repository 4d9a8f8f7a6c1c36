using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.Core;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// Bytes that do not parse as the method's request message are the caller's error: INVALID_ARGUMENT, one log line, no stack
/// trace. grpc-dotnet parses a unary or server-streaming request before any service code or interceptor runs and reports a
/// parse failure as UNKNOWN "Exception was thrown by handler." (logged with the stack trace); the call context keeps the
/// exception in its status, so this middleware, around the gRPC endpoint, rewrites that trailers-only reply.
/// </summary>
internal sealed partial class MalformedRequests(RequestDelegate next, ILogger<MalformedRequests> logger)
{
    public const string Message = "The request is not a valid protobuf message of the method's request type.";

    public async Task InvokeAsync(HttpContext context)
    {
        await next(context);
        var status = context.Features.Get<IServerCallContextFeature>()?.ServerCallContext.Status;
        if (status is { StatusCode: StatusCode.Unknown } && IsParseFailure(status.Value.DebugException) && !context.Response.HasStarted)
        {
            context.Response.Headers["grpc-status"] = ((int)StatusCode.InvalidArgument).ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers["grpc-message"] = Message;
            LogMalformed(context.Request.Path.Value ?? "");
        }
    }

    /// <summary>A protobuf parse failure, also as the inner exception of whatever grpc-dotnet wrapped it in.</summary>
    public static bool IsParseFailure(Exception? e) => e is InvalidProtocolBufferException || e?.InnerException is InvalidProtocolBufferException;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused a request to {Method}: its bytes are not a valid protobuf message")]
    private partial void LogMalformed(string method);
}
