using FedLearn.Identity;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;
using FedLearn.SecureAggregation.Protocol;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using ProtoStage = FedLearn.Protos.V1.SecureAggregationStage;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>The last protocol message a vanishing participant sends before it goes silent.</summary>
public enum VanishAfter
{
    AdvertiseKeys,
    ShareKeys,
    MaskedInput,
}

/// <summary>
/// A participant that follows secure aggregation over real gRPC up to a chosen stage and then goes silent, which is all
/// the coordinator can see of a crash. Before vanishing it also tries to upload a plain (unmasked) update, which a
/// secure round must refuse.
/// </summary>
internal sealed class VanishingSecureParticipant : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly GrpcChannel _channel;
    private readonly Task _run;

    public VanishingSecureParticipant(Uri coordinator, string id, VanishAfter vanishAfter)
    {
        var test = TestCoordinator.For(coordinator);
        _channel = test.OpenChannel(test.IssueCredentials(id, Roles.Participant));
        var client = new ParticipantService.ParticipantServiceClient(_channel);
        _run = Task.Run(() => RunAsync(client, id, vanishAfter, _stop.Token));
    }

    /// <summary>The status the coordinator answered a plain upload with (null until tried).</summary>
    public StatusCode? PlainUploadStatus { get; private set; }

    /// <summary>Completes when the participant has sent its last message.</summary>
    public TaskCompletionSource Vanished { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _run;
        }
        catch (Exception e) when (e is OperationCanceledException or RpcException)
        {
            // Stopped.
        }
        _channel.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(ParticipantService.ParticipantServiceClient client, string id, VanishAfter vanishAfter, CancellationToken ct)
    {
        await client.RegisterAsync(new RegisterRequest { ParticipantId = id, NumExamples = 100 }, cancellationToken: ct);
        using var work = client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = id }, cancellationToken: ct);
        await foreach (var item in work.ResponseStream.ReadAllAsync(ct))
        {
            if (item.RoundTask is { SecureAggregation: not null } task && !Vanished.Task.IsCompleted)
            {
                await PlayUntilVanishingAsync(client, id, task, vanishAfter, ct);
                Vanished.TrySetResult();
            }
        }
    }

    private async Task PlayUntilVanishingAsync(
        ParticipantService.ParticipantServiceClient client, string id, RoundTask task, VanishAfter vanishAfter, CancellationToken ct)
    {
        var setup = task.SecureAggregation;
        var encoding = FedLearn.Participant.Work.SecureTaskEncoding.For(task, task.Privacy);
        var configuration = new RoundConfiguration(setup.RoundId.ToByteArray(), new SecAggParameters(setup.Participants, setup.Neighbors, setup.Threshold),
            encoding.PaddedDimension, setup.GraphSeed.ToByteArray());
        using var protocol = new SecAggParticipant(configuration, setup.Index);

        async Task<byte[]> Step(ProtoStage stage, byte[] payload) => (await client.SecureAggregationStepAsync(new SecureAggregationStepRequest
        {
            ParticipantId = id, SessionId = task.SessionId, Round = task.Round, Attempt = task.Attempt, Stage = stage, Payload = ByteString.CopyFrom(payload),
        }, cancellationToken: ct)).Payload.ToByteArray();

        PlainUploadStatus = await TryPlainUploadAsync(client, id, task, ct);
        await Step(ProtoStage.AdvertiseKeys, ProtocolJson.Serialize(protocol.AdvertiseKeys()));
        if (vanishAfter == VanishAfter.AdvertiseKeys)
        {
            return;
        }
        var keys = ProtocolJson.Deserialize<NeighborKeys>(await Step(ProtoStage.NeighborKeys, []));
        await Step(ProtoStage.ShareKeys, ProtocolJson.Serialize(protocol.ShareKeys(keys)));
        if (vanishAfter == VanishAfter.ShareKeys)
        {
            return;
        }
        var shares = ProtocolJson.Deserialize<ForwardedShares>(await Step(ProtoStage.ForwardedShares, []));
        using var random = new CryptoRandom();
        var masked = protocol.MaskInput(shares, UpdateEncoder.Encode(new float[task.ParameterCount], encoding, setup.RotationSeed.Span, random));
        using var upload = client.UploadMaskedInput(cancellationToken: ct);
        await upload.RequestStream.WriteAsync(new UpdateChunk
        {
            Header = new UpdateHeader { ParticipantId = id, SessionId = task.SessionId, Round = task.Round, Attempt = task.Attempt, ParameterCount = masked.Values.Length },
        }, ct);
        foreach (var chunk in TensorChunking.Split(System.Runtime.InteropServices.MemoryMarshal.Cast<uint, float>(masked.Values).ToArray()))
        {
            await upload.RequestStream.WriteAsync(new UpdateChunk { Chunk = chunk }, ct);
        }
        await upload.RequestStream.CompleteAsync();
        await upload;
    }

    private static async Task<StatusCode> TryPlainUploadAsync(ParticipantService.ParticipantServiceClient client, string id, RoundTask task, CancellationToken ct)
    {
        try
        {
            using var upload = client.UploadUpdate(cancellationToken: ct);
            await upload.RequestStream.WriteAsync(new UpdateChunk
            {
                Header = new UpdateHeader { ParticipantId = id, SessionId = task.SessionId, Round = task.Round, Attempt = task.Attempt, NumExamples = 100, ParameterCount = task.ParameterCount },
            }, ct);
            foreach (var chunk in TensorChunking.Split(new float[task.ParameterCount]))
            {
                await upload.RequestStream.WriteAsync(new UpdateChunk { Chunk = chunk }, ct);
            }
            await upload.RequestStream.CompleteAsync();
            var reply = await upload;
            return reply.Accepted ? StatusCode.OK : StatusCode.PermissionDenied;
        }
        catch (RpcException e)
        {
            return e.StatusCode;
        }
    }
}
