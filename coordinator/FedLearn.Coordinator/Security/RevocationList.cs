using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// The revocation list in PostgreSQL, consulted on every call. The whole list (revoked names and certificate serials) is
/// read in one query and reused for at most Coordinator:RevocationCacheSeconds, so a revocation reaches every coordinator
/// within that time (and this one at once), and the database sees one query per period whatever the number of callers
/// (one query per caller and period made thousands of participants cost thousands of queries a round; issue 11).
/// </summary>
internal sealed class RevocationList(IdentityRepository identities, IOptions<CoordinatorOptions> options, TimeProvider time) : IRevocationList
{
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private volatile Snapshot? _snapshot;

    public async ValueTask<string?> CheckAsync(CallerIdentity caller, CancellationToken ct)
    {
        var snapshot = _snapshot;
        if (snapshot is null || snapshot.Until <= time.GetUtcNow())
        {
            snapshot = await RefreshAsync(ct);
        }
        return snapshot.Names.Contains(caller.Name) || snapshot.Serials.Contains(caller.SerialNumber) ? $"'{caller.Name}' has been revoked." : null;
    }

    /// <summary>One caller reloads; the others that found the list stale wait for its answer.</summary>
    private async Task<Snapshot> RefreshAsync(CancellationToken ct)
    {
        await _refresh.WaitAsync(ct);
        try
        {
            var now = time.GetUtcNow();
            if (_snapshot is { } fresh && fresh.Until > now)
            {
                return fresh;
            }
            var (names, serials) = await identities.LoadRevokedAsync(ct);
            var loaded = new Snapshot(names, serials, now.AddSeconds(options.Value.RevocationCacheSeconds));
            _snapshot = loaded;
            return loaded;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Forgets the cached list after a revocation here, so the revoked caller's next call is refused.</summary>
    public void Forget(string name) => _snapshot = null;

    private sealed record Snapshot(HashSet<string> Names, HashSet<string> Serials, DateTimeOffset Until);
}
