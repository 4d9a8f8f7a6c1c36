using Grpc.Core;
using Grpc.Net.Client;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>gRPC calls with hand-made bytes instead of a generated message: how a foreign or hostile client reaches the coordinator.</summary>
internal static class RawCalls
{
    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    public static async Task<byte[]> UnaryAsync(GrpcChannel channel, string fullMethod, byte[] request, CancellationToken ct)
    {
        var slash = fullMethod.LastIndexOf('/');
        var method = new Method<byte[], byte[]>(MethodType.Unary, fullMethod[1..slash], fullMethod[(slash + 1)..], Bytes, Bytes);
        using var call = channel.CreateCallInvoker().AsyncUnaryCall(method, null, new CallOptions(cancellationToken: ct), request);
        return await call.ResponseAsync;
    }
}
