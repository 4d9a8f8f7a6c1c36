using Google.Protobuf;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// Refuses, with INVALID_ARGUMENT naming the field, any request message that breaks <see cref="RequestLimits"/>, before a
/// service method sees it; messages of a client stream are checked as they are read, and a streamed message that does
/// not parse is refused the same way.
/// </summary>
internal sealed class RequestLimitsInterceptor : Interceptor
{
    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Check(request);
        return continuation(request, responseStream, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation) =>
        continuation(new CheckedReader<TRequest>(requestStream), context);

    private static void Check<T>(T request)
    {
        if (request is IMessage message && RequestLimits.Problem(message) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Invalid {message.Descriptor.Name}: {problem}."));
        }
    }

    private sealed class CheckedReader<T>(IAsyncStreamReader<T> inner) : IAsyncStreamReader<T>
    {
        public T Current => inner.Current;

        public async Task<bool> MoveNext(CancellationToken cancellationToken)
        {
            bool more;
            try
            {
                more = await inner.MoveNext(cancellationToken);
            }
            catch (Exception e) when (MalformedRequests.IsParseFailure(e))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, MalformedRequests.Message));
            }
            if (more)
            {
                Check(inner.Current);
            }
            return more;
        }
    }
}
