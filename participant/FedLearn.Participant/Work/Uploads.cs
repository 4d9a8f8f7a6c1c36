using FedLearn.Protos;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.Participant.Work;

/// <summary>The chunked upload both plain updates and masked inputs use: the header, then 256 KiB chunks of 32-bit words.</summary>
internal static class Uploads
{
    /// <param name="exampleEpsilon">The example-level ε after this round (sessions that declare that level), else null.</param>
    public static UpdateHeader Header(string participantId, RoundTask task, int length, long numExamples, double? exampleEpsilon)
    {
        var header = new UpdateHeader
        {
            ParticipantId = participantId,
            SessionId = task.SessionId,
            Round = task.Round,
            Attempt = task.Attempt,
            NumExamples = numExamples,
            ParameterCount = length,
        };
        if (exampleEpsilon is { } epsilon)
        {
            header.ExampleEpsilon = epsilon;
        }
        return header;
    }

    public static async Task<UploadUpdateReply> SendAsync(
        AsyncClientStreamingCall<UpdateChunk, UploadUpdateReply> call, UpdateHeader header, float[] values, CancellationToken ct)
    {
        await call.RequestStream.WriteAsync(new UpdateChunk { Header = header }, ct);
        foreach (var chunk in TensorChunking.Split(values))
        {
            await call.RequestStream.WriteAsync(new UpdateChunk { Chunk = chunk }, ct);
        }
        await call.RequestStream.CompleteAsync();
        return await call;
    }
}
