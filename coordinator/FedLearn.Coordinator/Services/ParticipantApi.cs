using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Telemetry;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Services;

/// <summary>The participant API: a thin mapping from gRPC to grain calls.</summary>
internal sealed partial class ParticipantApi(
    IGrainFactory grains, IOptions<CoordinatorOptions> options, TimeProvider time, DataPlaneAdmission admission, UpdateBufferPool buffers,
    ILogger<ParticipantApi> logger)
    : ParticipantService.ParticipantServiceBase
{
    public override async Task<RegisterReply> Register(RegisterRequest request, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.ParticipantId, "participant_id");
        if (request.NumExamples is < 0 or > RobustnessDefinition.MaxExamplesLimit)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"num_examples must be between 0 and {RobustnessDefinition.MaxExamplesLimit}."));
        }
        await RpcGuard.Call(async () =>
        {
            await grains.GetGrain<IParticipantGrain>(id).Register(request.NumExamples, request.ClientVersion ?? "");
            return true;
        });
        return new RegisterReply { ParticipantId = id, HeartbeatSeconds = options.Value.HeartbeatSeconds };
    }

    public override async Task ReceiveWork(ReceiveWorkRequest request, IServerStreamWriter<WorkItem> responseStream, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.ParticipantId, "participant_id");
        var participant = grains.GetGrain<IParticipantGrain>(id);
        var observer = new WorkStreamObserver();
        var reference = grains.CreateObjectReference<IParticipantWorkObserver>(observer);
        var heartbeat = TimeSpan.FromSeconds(options.Value.HeartbeatSeconds);
        var ct = context.CancellationToken;
        var counted = false;
        try
        {
            await RpcGuard.Call(async () =>
            {
                await participant.Connect(reference);
                return true;
            });
            LogConnected(id);
            CoordinatorTelemetry.WorkStreamOpened();
            counted = true;
            // Two waits outlive each other: whichever of "a task is ready" and "a heartbeat is due" completes is replaced,
            // the other kept, so an idle stream costs one timer per heartbeat and no exception (issue 11).
            Task<bool>? ready = null;
            Task? beat = null;
            while (!ct.IsCancellationRequested)
            {
                ready ??= observer.Tasks.WaitToReadAsync(ct).AsTask();
                beat ??= Task.Delay(heartbeat, time, ct);
                if (await Task.WhenAny(ready, beat) == ready)
                {
                    if (!await ready)
                    {
                        break;
                    }
                    ready = null;
                    while (observer.Tasks.TryRead(out var task))
                    {
                        await responseStream.WriteAsync(new WorkItem { RoundTask = ProtoMapping.ToProto(task) }, ct);
                    }
                }
                else
                {
                    await beat;
                    beat = null;
                    // Heartbeat: proves the stream is alive to both sides and keeps the directory entry fresh.
                    await responseStream.WriteAsync(new WorkItem { Heartbeat = new Heartbeat { SentAt = Timestamp.FromDateTimeOffset(time.GetUtcNow()) } }, ct);
                    await RpcGuard.Call(async () =>
                    {
                        await participant.Connect(reference);
                        return true;
                    });
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The participant went away; that is how work streams end.
        }
        finally
        {
            if (counted)
            {
                CoordinatorTelemetry.WorkStreamClosed();
            }
            LogDisconnected(id);
            try
            {
                await participant.Disconnect(reference);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                LogDisconnectFailed(e, id);
            }
            grains.DeleteObjectReference<IParticipantWorkObserver>(reference);
        }
    }

    public override async Task DownloadModel(DownloadModelRequest request, IServerStreamWriter<ModelChunk> responseStream, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.ParticipantId, "participant_id");
        var round = Round(request.SessionId, request.Round);
        var model = await RpcGuard.Call(() => round.DownloadModel(id))
            ?? throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Participant '{id}' is not selected for an open attempt of round {request.Round} of session '{request.SessionId}'."));
        using var slot = await admission.EnterDownloadAsync(context.CancellationToken);
        // The chunks are views of the attempt's one serialized copy: nothing model-sized is allocated per download.
        const int chunkBytes = TensorChunking.FloatsPerChunk * sizeof(float);
        var bytes = model.Bytes.AsMemory();
        for (var offset = 0; offset < bytes.Length; offset += chunkBytes)
        {
            var data = bytes.Slice(offset, Math.Min(chunkBytes, bytes.Length - offset));
            var chunk = new TensorChunk { Offset = offset / sizeof(float), Data = UnsafeByteOperations.UnsafeWrap(data) };
            await responseStream.WriteAsync(new ModelChunk { ParameterCount = model.ParameterCount, Chunk = chunk }, context.CancellationToken);
        }
        CoordinatorTelemetry.ModelSent(request.SessionId, bytes.Length);
    }

    public override async Task<UploadUpdateReply> UploadUpdate(IAsyncStreamReader<UpdateChunk> requestStream, ServerCallContext context)
    {
        var (id, round, header, expected) = await ReadUploadHeaderAsync(requestStream, context.CancellationToken);
        using var slot = await admission.EnterUploadAsync(context.CancellationToken);
        var values = buffers.Rent(expected);
        var handedOver = false;
        try
        {
            await ReadValuesAsync(requestStream, values, context.CancellationToken);
            handedOver = true;
            var receipt = await RpcGuard.Call(() => round.SubmitUpdate(new ModelUpdate(id, header.Attempt, header.NumExamples, values, ExampleEpsilon(header),
                header.HasClipReport ? header.ClipReport : null)));
            // The call completed: the round took what it needed (sums, or its own copy) and holds no reference to the buffer.
            handedOver = false;
            LogUpload(id, header.SessionId, header.Round, receipt.Accepted);
            CountUpload(header.SessionId, expected, receipt.Accepted);
            return new UploadUpdateReply { Accepted = receipt.Accepted, Reason = receipt.Reason ?? "" };
        }
        finally
        {
            if (!handedOver)
            {
                buffers.Return(values);
            }
        }
    }

    private static double? ExampleEpsilon(UpdateHeader header) => header.HasExampleEpsilon ? header.ExampleEpsilon : null;

    /// <summary>
    /// Reads an upload's header and checks with the round that this participant may upload now and how many values, before
    /// a single value is read (a forged header cannot make the coordinator allocate).
    /// </summary>
    private static void CountUpload(string sessionId, int values, bool accepted)
    {
        if (accepted)
        {
            CoordinatorTelemetry.UpdateReceived(sessionId, (long)values * sizeof(float));
        }
    }

    private async Task<(string Id, IRoundGrain Round, UpdateHeader Header, int Expected)> ReadUploadHeaderAsync(
        IAsyncStreamReader<UpdateChunk> requestStream, CancellationToken ct)
    {
        if (!await requestStream.MoveNext(ct) || requestStream.Current.PartCase != UpdateChunk.PartOneofCase.Header)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first message of an upload must be its header."));
        }
        var header = requestStream.Current.Header;
        var id = RpcGuard.Id(header.ParticipantId, "participant_id");
        var round = Round(header.SessionId, header.Round);
        var expected = await RpcGuard.Call(() => round.ExpectedUpdateLength(id))
            ?? throw new RpcException(new Status(StatusCode.FailedPrecondition,
                $"Round {header.Round} of session '{header.SessionId}' takes no update from participant '{id}' now (not selected, already received, or closed)."));
        if (header.ParameterCount != expected)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"Malformed update: the header announces {header.ParameterCount} values; the model has {expected} parameters."));
        }
        return (id, round, header, expected);
    }

    /// <summary>Reads exactly <paramref name="values"/>.Length raw 32-bit words (a float update or a masked uint32 input) into it.</summary>
    private static async Task ReadValuesAsync(IAsyncStreamReader<UpdateChunk> requestStream, float[] values, CancellationToken ct)
    {
        try
        {
            var assembler = new TensorChunking.Assembler(values);
            while (await requestStream.MoveNext(ct))
            {
                if (requestStream.Current.PartCase != UpdateChunk.PartOneofCase.Chunk)
                {
                    throw new InvalidDataException("Only data chunks may follow the header.");
                }
                assembler.Add(requestStream.Current.Chunk);
            }
            assembler.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Malformed update: {e.Message}"));
        }
    }

    public override async Task<SecureAggregationStepReply> SecureAggregationStep(SecureAggregationStepRequest request, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.ParticipantId, "participant_id");
        var round = Round(request.SessionId, request.Round);
        var stage = request.Stage switch
        {
            Protos.V1.SecureAggregationStage.AdvertiseKeys => Grains.SecureAggregationStage.AdvertiseKeys,
            Protos.V1.SecureAggregationStage.NeighborKeys => Grains.SecureAggregationStage.NeighborKeys,
            Protos.V1.SecureAggregationStage.ShareKeys => Grains.SecureAggregationStage.ShareKeys,
            Protos.V1.SecureAggregationStage.ForwardedShares => Grains.SecureAggregationStage.ForwardedShares,
            Protos.V1.SecureAggregationStage.UnmaskRequest => Grains.SecureAggregationStage.UnmaskRequest,
            Protos.V1.SecureAggregationStage.Unmask => Grains.SecureAggregationStage.Unmask,
            _ => throw new RpcException(new Status(StatusCode.InvalidArgument, "stage is required.")),
        };
        var payload = request.Payload.ToByteArray();
        // Wait stages return when the previous stage closed; the grain says "not ready" until then.
        while (true)
        {
            var reply = await RpcGuard.Call(() => round.SecureAggregationStep(id, request.Attempt, stage, payload));
            if (reply.Error is { } error)
            {
                throw new RpcException(new Status(StatusCode.FailedPrecondition, $"Secure aggregation: {error}"));
            }
            if (reply.Ready)
            {
                return new SecureAggregationStepReply { Payload = reply.Payload is null ? ByteString.Empty : ByteString.CopyFrom(reply.Payload) };
            }
            await Task.Delay(SecureStagePollInterval, context.CancellationToken);
        }
    }

    public override async Task<UploadUpdateReply> UploadMaskedInput(IAsyncStreamReader<UpdateChunk> requestStream, ServerCallContext context)
    {
        var (id, round, header, expected) = await ReadUploadHeaderAsync(requestStream, context.CancellationToken);
        using var slot = await admission.EnterUploadAsync(context.CancellationToken);
        var values = buffers.Rent(expected);
        uint[] masked;
        try
        {
            await ReadValuesAsync(requestStream, values, context.CancellationToken);
            // The secure round keeps each masked input until unmasking, so it gets a copy of its own.
            masked = MemoryMarshal.Cast<float, uint>(values).ToArray();
        }
        finally
        {
            buffers.Return(values);
        }
        var receipt = await RpcGuard.Call(() => round.SubmitMaskedInput(id, header.Attempt, masked, ExampleEpsilon(header)));
        LogUpload(id, header.SessionId, header.Round, receipt.Accepted);
        CountUpload(header.SessionId, expected, receipt.Accepted);
        return new UploadUpdateReply { Accepted = receipt.Accepted, Reason = receipt.Reason ?? "" };
    }

    public override async Task<ReportMetricsReply> ReportMetrics(LocalMetrics request, ServerCallContext context)
    {
        var id = RpcGuard.Id(request.ParticipantId, "participant_id");
        RpcGuard.Metrics(request);
        var report = new LocalMetricsReport(id, request.TrainLoss, request.TrainAccuracy, request.NumExamples);
        var receipt = await RpcGuard.Call(() => Round(request.SessionId, request.Round).ReportMetrics(report));
        return new ReportMetricsReply { Accepted = receipt.Accepted, Reason = receipt.Reason ?? "" };
    }

    private static readonly TimeSpan SecureStagePollInterval = TimeSpan.FromMilliseconds(100);

    private IRoundGrain Round(string sessionId, int round) =>
        grains.GetGrain<IRoundGrain>($"{RpcGuard.Id(sessionId, "session_id")}/{RpcGuard.Round(round)}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} opened its work stream")]
    private partial void LogConnected(string participantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Participant {ParticipantId} closed its work stream")]
    private partial void LogDisconnected(string participantId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not detach the work stream of participant {ParticipantId}")]
    private partial void LogDisconnectFailed(Exception e, string participantId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Update from {ParticipantId} for session {SessionId} round {Round}: accepted {Accepted}")]
    private partial void LogUpload(string participantId, string sessionId, int round, bool accepted);
}
