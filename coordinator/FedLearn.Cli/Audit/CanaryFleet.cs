using FedLearn.Identity;
using FedLearn.Participant.Encoding;
using FedLearn.Participant.Work;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;
using FedLearn.Training;

namespace FedLearn.Cli.Audit;

/// <summary>
/// The K canary participants of `fedlearn audit run` (docs/audit.md): each an identity enrolled like any data owner (an
/// invitation, a key made here, a certificate from the federation CA), running the participant daemon's own client code
/// in this process, and sending as its update its canary direction scaled to the clip norm instead of training. Their
/// keys live in a temporary directory deleted on dispose; their identities are revoked then.
/// </summary>
internal sealed class CanaryFleet : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<(RoundExecutor Executor, Task Run, ConnectionSignal Signal)> _canaries = [];
    private readonly string _keys;
    private readonly IdentityService.IdentityServiceClient _identity;

    private CanaryFleet(string keys, IdentityService.IdentityServiceClient identity, IReadOnlyList<string> ids)
    {
        _keys = keys;
        _identity = identity;
        Ids = ids;
    }

    public IReadOnlyList<string> Ids { get; }

    public static async Task<CanaryFleet> EnrollAsync(
        IdentityService.IdentityServiceClient identity, Uri coordinator, string sessionId, byte[] seed, int canaries, SessionConfig config,
        CancellationToken ct)
    {
        var keys = Directory.CreateTempSubdirectory("fedlearn-canaries-").FullName;
        var ids = Enumerable.Range(0, canaries).Select(i => $"canary-{sessionId}-{i}").ToList();
        var fleet = new CanaryFleet(keys, identity, ids);
        try
        {
            // A canary holds no data; one blank example satisfies the daemon's check that data fit the model.
            var data = new Dataset(new float[config.Model.InputSize], [0], config.Model.InputSize, config.Model.NumClasses);
            var clipNorm = config.Privacy.ClipNorm;
            for (var i = 0; i < canaries; i++)
            {
                var invitation = await identity.CreateInvitationAsync(
                    new CreateInvitationRequest { Name = ids[i], Role = Roles.Participant, ValidHours = 1 }, cancellationToken: ct);
                var credentials = await EnrollmentClient.EnrollAsync(coordinator, invitation.Token, Path.Combine(keys, ids[i]), Roles.Participant, ct);
                var settings = new ParticipantSettings(coordinator, ids[i], TimeSpan.FromSeconds(2), Credentials: credentials);
                var index = i;
                var signal = new ConnectionSignal(ids[i]);
                var executor = new RoundExecutor(settings, data, UpdateEncoders.Default(), signal.ForExecutor,
                    fixedUpdate: dimension => CanaryDirections.Update(seed, index, dimension, clipNorm));
                var worker = new ParticipantWorker(settings, data.Count, executor, signal);
                fleet._canaries.Add((executor, Task.Run(() => worker.RunAsync(fleet._stop.Token), CancellationToken.None), signal));
            }
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Until every canary holds its work stream open (so the first round samples from all of them).</summary>
    public async Task WaitConnectedAsync(TimeSpan timeout, CancellationToken ct)
    {
        var all = Task.WhenAll(_canaries.Select(c => c.Signal.Connected));
        var failed = Task.WhenAny(_canaries.Select(c => c.Run));
        var done = await Task.WhenAny(all, failed, Task.Delay(timeout, ct));
        if (done != all)
        {
            if (done == failed)
            {
                await await failed;
            }
            throw new TimeoutException($"Only {_canaries.Count(c => c.Signal.Connected.IsCompleted)} of {_canaries.Count} canaries connected within {timeout.TotalSeconds:F0} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var (executor, run, _) in _canaries)
        {
            try
            {
                await run;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
            catch (InvalidOperationException)
            {
                // Refused by the coordinator; nothing left to stop.
            }
            executor.Dispose();
        }
        foreach (var id in Ids.Take(_canaries.Count))
        {
            try
            {
                // The canaries' certificates must not outlive the audit.
                await _identity.RevokeIdentityAsync(new RevokeIdentityRequest { Name = id });
            }
            catch (Grpc.Core.RpcException)
            {
                // Never enrolled, or already revoked.
            }
        }
        Directory.Delete(_keys, recursive: true);
        _stop.Dispose();
    }
}
