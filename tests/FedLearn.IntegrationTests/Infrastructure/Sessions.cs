using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>Session helpers over the real admin API.</summary>
internal static class Sessions
{
    /// <summary>The exported ONNX model of a session's latest round, reassembled from the admin API's chunks.</summary>
    public static async Task<byte[]> ExportModelAsync(AdminService.AdminServiceClient admin, string sessionId, CancellationToken ct)
    {
        using var call = admin.ExportModel(new ExportModelRequest { SessionId = sessionId }, cancellationToken: ct);
        using var bytes = new MemoryStream();
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
        {
            chunk.Data.WriteTo(bytes);
        }
        return bytes.ToArray();
    }

    public static SessionConfig Config(int inputSize, int classes, int rounds, int perRound, int min, int deadlineSeconds, int hidden = 16, int epochs = 2) => new()
    {
        Name = "integration",
        Model = new ModelSpec { Kind = "mlp", InputSize = inputSize, NumClasses = classes, HiddenSizes = { hidden }, Activation = "relu" },
        Rounds = rounds,
        ParticipantsPerRound = perRound,
        MinParticipants = min,
        Training = new LocalTrainingConfig { LocalEpochs = epochs, BatchSize = 16, LearningRate = 0.1 },
        ServerLearningRate = 1.0,
        Seed = 5,
        RoundDeadlineSeconds = deadlineSeconds,
    };

    /// <summary>Follows WatchSession until the session ends; fails the test if that takes longer than <paramref name="timeout"/>.</summary>
    public static async Task<SessionStatus> WatchUntilFinishedAsync(AdminService.AdminServiceClient admin, string sessionId, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var call = admin.WatchSession(new SessionRequest { SessionId = sessionId }, cancellationToken: cts.Token);
        SessionStatus? last = null;
        try
        {
            await foreach (var status in call.ResponseStream.ReadAllAsync(cts.Token))
            {
                last = status;
            }
        }
        catch (Exception e) when (e is OperationCanceledException || (e is RpcException r && r.StatusCode == StatusCode.Cancelled))
        {
            Assert.Fail($"Session {sessionId} did not finish within {timeout}; last status: {last}");
        }
        return last ?? throw new InvalidOperationException("WatchSession sent nothing.");
    }

    /// <summary>
    /// Waits until <paramref name="count"/> participants have open work streams: a throwaway session that cannot start
    /// reports "Waiting for participants: N connected" until then.
    /// </summary>
    public static async Task WaitForParticipantsAsync(AdminService.AdminServiceClient admin, int features, int classes, int count, CancellationToken ct)
    {
        var probe = Config(features, classes, rounds: 1, perRound: 50, min: 50, deadlineSeconds: 5);
        var session = await admin.CreateSessionAsync(new CreateSessionRequest { Config = probe }, cancellationToken: ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!(await admin.GetSessionStatusAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: timeout.Token))
                   .Message.StartsWith($"Waiting for participants: {count} connected", StringComparison.Ordinal))
        {
            await Task.Delay(200, timeout.Token);
        }
        await admin.StopSessionAsync(new SessionRequest { SessionId = session.SessionId }, cancellationToken: ct);
    }
}
