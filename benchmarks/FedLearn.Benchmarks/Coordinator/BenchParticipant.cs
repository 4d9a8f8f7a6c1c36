using FedLearn.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// A lightweight participant speaking the real protocol over its own mutual-TLS connection: it registers, holds its work
/// stream open and, for every round task, downloads the model, reports metrics and uploads the precomputed update, the
/// same calls in the same order as the daemon's RoundExecutor, with no training in between.
/// </summary>
internal sealed class BenchParticipant(string id, GrpcChannel channel, UpdatePayload update, BenchStats stats)
{
    private readonly ParticipantService.ParticipantServiceClient _client = new(channel);
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id => id;

    public GrpcChannel Channel => channel;

    /// <summary>Completes at the first message on the work stream: the coordinator has this participant in its directory by then.</summary>
    public Task Connected => _connected.Task;

    public async Task RegisterAsync(CancellationToken ct) =>
        await _client.RegisterAsync(new RegisterRequest { ParticipantId = id, NumExamples = 20, ClientVersion = "fedlearn-bench" }, cancellationToken: ct);

    /// <summary>
    /// Reads the work stream until cancelled; each round task runs on its own so the stream keeps being read. A stream the
    /// coordinator ends is counted and reopened a second later, as the participant daemon does.
    /// </summary>
    public async Task RunWorkStreamAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                using var call = _client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = id }, cancellationToken: ct);
                await foreach (var item in call.ResponseStream.ReadAllAsync(ct))
                {
                    _connected.TrySetResult();
                    if (item.ItemCase == WorkItem.ItemOneofCase.RoundTask)
                    {
                        var task = item.RoundTask;
                        stats.TaskReceived(task.Round);
                        _ = Task.Run(() => RunRoundAsync(task.SessionId, task.Round, task.Attempt, task.ParameterCount, ct), ct);
                    }
                }
                stats.WorkStreamEnded(null);
            }
            catch (RpcException e) when (!ct.IsCancellationRequested)
            {
                stats.WorkStreamEnded(e.Status);
            }
            catch (Exception) when (ct.IsCancellationRequested)
            {
                return;
            }
            await Task.Delay(1000, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>One participant's part of a round: download, metrics, upload. Failures are counted by status, never thrown.</summary>
    public async Task RunRoundAsync(string sessionId, int round, int attempt, long parameterCount, CancellationToken ct)
    {
        var stage = "download";
        try
        {
            long bytes = 0;
            using (var download = _client.DownloadModel(new DownloadModelRequest { ParticipantId = id, SessionId = sessionId, Round = round }, cancellationToken: ct))
            {
                await foreach (var chunk in download.ResponseStream.ReadAllAsync(ct))
                {
                    bytes += chunk.Chunk.Data.Length;
                }
            }
            if (bytes != parameterCount * sizeof(float))
            {
                stats.Failed(round, stage, $"downloaded {bytes} bytes for {parameterCount} parameters");
                return;
            }
            stats.Downloaded(round);
            stage = "metrics";
            await _client.ReportMetricsAsync(new LocalMetrics
            {
                ParticipantId = id, SessionId = sessionId, Round = round, TrainLoss = 0.5, TrainAccuracy = 0.8, NumExamples = 20, TrainSeconds = 0.01,
            }, cancellationToken: ct);
            stage = "upload";
            using var upload = _client.UploadUpdate(cancellationToken: ct);
            await upload.RequestStream.WriteAsync(new UpdateChunk
            {
                Header = new UpdateHeader { ParticipantId = id, SessionId = sessionId, Round = round, Attempt = attempt, NumExamples = 20, ParameterCount = update.ParameterCount },
            }, ct);
            foreach (var chunk in update.Chunks)
            {
                await upload.RequestStream.WriteAsync(chunk, ct);
            }
            await upload.RequestStream.CompleteAsync();
            var reply = await upload.ResponseAsync;
            if (reply.Accepted)
            {
                stats.Uploaded(round);
            }
            else
            {
                stats.Failed(round, stage, "refused: " + reply.Reason);
            }
        }
        catch (RpcException e)
        {
            stats.Failed(round, stage, $"{e.StatusCode}: {e.Status.Detail}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or IOException or HttpProtocolException)
        {
            // The connection itself failed (an HTTP/2 keep-alive ping unanswered on an overloaded machine, say).
            stats.Failed(round, stage, $"connection: {e.Message}");
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The benchmark is over.
        }
    }
}
