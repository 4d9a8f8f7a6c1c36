using System.Collections.Concurrent;
using System.Security.Cryptography;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation.Crypto;
using FedLearn.SecureAggregation.Protocol;
using Google.Protobuf;
using Grpc.Core;
using ProtoStage = FedLearn.Protos.V1.SecureAggregationStage;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// An enrolled participant that plays by the wire format but not by the rules, written against the .proto only: for
/// every round task it sends the probes (an update of −1e30, num_examples of 2^62 and 2^63 − 1, out-of-range and
/// over-claiming metrics, a 4 MiB client version, key advertisements whose keys are not keys) and records how each was
/// answered; in a plain round it then uploads <see cref="FinalUpdate"/>, the worst update the session's limits let through.
/// </summary>
internal sealed class HostileParticipant : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _run;

    public HostileParticipant(ParticipantService.ParticipantServiceClient client, string id, Func<RoundTask, (float[] Delta, long Examples)> finalUpdate)
    {
        FinalUpdate = finalUpdate;
        _run = Task.Run(() => RunAsync(client, id, _stop.Token));
    }

    public Func<RoundTask, (float[] Delta, long Examples)> FinalUpdate { get; }

    /// <summary>"probe: outcome" for every probe sent, in order (outcome: "accepted", "refused: reason" or a status code).</summary>
    public ConcurrentQueue<string> Outcomes { get; } = new();

    public int RoundsPlayed => _roundsPlayed;

    private int _roundsPlayed;

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
        _stop.Dispose();
    }

    private async Task RunAsync(ParticipantService.ParticipantServiceClient client, string id, CancellationToken ct)
    {
        await client.RegisterAsync(new RegisterRequest { ParticipantId = id, NumExamples = 300 }, cancellationToken: ct);
        using var work = client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = id }, cancellationToken: ct);
        await foreach (var item in work.ResponseStream.ReadAllAsync(ct))
        {
            if (item.RoundTask is { } task)
            {
                await (task.SecureAggregation is null ? PlayPlainAsync(client, id, task, ct) : PlaySecureAsync(client, id, task, ct));
                Interlocked.Increment(ref _roundsPlayed);
            }
        }
    }

    private async Task PlayPlainAsync(ParticipantService.ParticipantServiceClient client, string id, RoundTask task, CancellationToken ct)
    {
        var zeros = new float[task.ParameterCount];
        await Probe("num_examples 2^62", () => UploadAsync(client, id, task, zeros, 1L << 62, ct));
        await Probe("num_examples 2^63-1", () => UploadAsync(client, id, task, zeros, long.MaxValue, ct));
        await Probe("update -1e30", () => UploadAsync(client, id, task, [.. zeros.Select(_ => -1e30f)], 300, ct));
        await Probe("metrics loss 1e300", () => MetricsAsync(client, id, task, 1e300, 300, ct));
        await Probe("metrics num_examples 2^62", () => MetricsAsync(client, id, task, 0.5, 1L << 62, ct));
        await Probe("client_version 4 MiB", async () =>
        {
            await client.RegisterAsync(new RegisterRequest { ParticipantId = id, NumExamples = 300, ClientVersion = new string('v', 4 << 20) }, cancellationToken: ct);
            return "accepted";
        });
        var (delta, examples) = FinalUpdate(task);
        await Probe("final update", () => UploadAsync(client, id, task, delta, examples, ct));
    }

    private async Task PlaySecureAsync(ParticipantService.ParticipantServiceClient client, string id, RoundTask task, CancellationToken ct)
    {
        // Well-formed JSON of the protocol record, the right length, random bytes where the keys should be.
        var notAKey = RandomNumberGenerator.GetBytes(PublicKeyValidation.SpkiLength);
        var advert = ProtocolJson.Serialize(new KeyAdvertisement(task.SecureAggregation.Index, notAKey, notAKey));
        await Probe("key advertisement with keys that are not keys", async () =>
        {
            await client.SecureAggregationStepAsync(new SecureAggregationStepRequest
            {
                ParticipantId = id, SessionId = task.SessionId, Round = task.Round, Attempt = task.Attempt,
                Stage = ProtoStage.AdvertiseKeys, Payload = ByteString.CopyFrom(advert),
            }, cancellationToken: ct);
            return "accepted";
        });
    }

    private async Task Probe(string name, Func<Task<string>> probe)
    {
        string outcome;
        try
        {
            outcome = await probe();
        }
        catch (RpcException e) when (e.StatusCode != StatusCode.Cancelled)
        {
            outcome = $"{e.StatusCode}: {e.Status.Detail}";
        }
        Outcomes.Enqueue($"{name}: {outcome}");
    }

    private static async Task<string> UploadAsync(
        ParticipantService.ParticipantServiceClient client, string id, RoundTask task, float[] delta, long examples, CancellationToken ct)
    {
        using var upload = client.UploadUpdate(cancellationToken: ct);
        await upload.RequestStream.WriteAsync(new UpdateChunk
        {
            Header = new UpdateHeader
            {
                ParticipantId = id, SessionId = task.SessionId, Round = task.Round, Attempt = task.Attempt, NumExamples = examples, ParameterCount = delta.Length,
            },
        }, ct);
        foreach (var chunk in TensorChunking.Split(delta))
        {
            await upload.RequestStream.WriteAsync(new UpdateChunk { Chunk = chunk }, ct);
        }
        await upload.RequestStream.CompleteAsync();
        var reply = await upload;
        return reply.Accepted ? "accepted" : $"refused: {reply.Reason}";
    }

    private static async Task<string> MetricsAsync(
        ParticipantService.ParticipantServiceClient client, string id, RoundTask task, double loss, long examples, CancellationToken ct)
    {
        var reply = await client.ReportMetricsAsync(new LocalMetrics
        {
            ParticipantId = id, SessionId = task.SessionId, Round = task.Round, TrainLoss = loss, TrainAccuracy = 0.5, NumExamples = examples,
        }, cancellationToken: ct);
        return reply.Accepted ? "accepted" : $"refused: {reply.Reason}";
    }
}
