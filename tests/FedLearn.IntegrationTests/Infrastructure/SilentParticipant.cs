using FedLearn.Identity;
using FedLearn.Protos.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// A participant that registers and holds its work stream open but never answers a task: a round that selected it can
/// end only at its deadline, so a test knows the round is still open.
/// </summary>
internal sealed class SilentParticipant : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly GrpcChannel _channel;
    private readonly Task _run;
    private bool _disposed;

    public SilentParticipant(Uri coordinator, string id)
    {
        var test = TestCoordinator.For(coordinator);
        _channel = test.OpenChannel(test.IssueCredentials(id, Roles.Participant));
        var client = new ParticipantService.ParticipantServiceClient(_channel);
        _run = Task.Run(() => RunAsync(client, id, _stop.Token));
    }

    /// <summary>Goes away (idempotent): the coordinator sees the work stream close.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
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

    private async Task RunAsync(ParticipantService.ParticipantServiceClient client, string id, CancellationToken ct)
    {
        await client.RegisterAsync(new RegisterRequest { ParticipantId = id, NumExamples = 100 }, cancellationToken: ct);
        using var work = client.ReceiveWork(new ReceiveWorkRequest { ParticipantId = id }, cancellationToken: ct);
        await foreach (var item in work.ResponseStream.ReadAllAsync(ct))
        {
            // Every task is ignored.
        }
    }
}
