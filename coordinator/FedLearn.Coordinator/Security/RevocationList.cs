using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// The revocation list in PostgreSQL, consulted on every call; an answer is reused for at most
/// Coordinator:RevocationCacheSeconds, so a revocation reaches every coordinator within that time (and this one at once).
/// </summary>
internal sealed class RevocationList(IdentityRepository identities, IOptions<CoordinatorOptions> options, TimeProvider time) : IRevocationList
{
    private readonly ConcurrentDictionary<(string Name, string Serial), (bool Revoked, DateTimeOffset Until)> _cache = new();

    public async ValueTask<string?> CheckAsync(CallerIdentity caller, CancellationToken ct)
    {
        var key = (caller.Name, caller.SerialNumber);
        var now = time.GetUtcNow();
        if (!_cache.TryGetValue(key, out var cached) || cached.Until <= now)
        {
            cached = (await identities.IsRevokedAsync(caller.Name, caller.SerialNumber, ct), now.AddSeconds(options.Value.RevocationCacheSeconds));
            _cache[key] = cached;
        }
        return cached.Revoked ? $"'{caller.Name}' has been revoked." : null;
    }

    /// <summary>Forgets cached answers about a name just revoked here, so its next call is refused.</summary>
    public void Forget(string name)
    {
        foreach (var key in _cache.Keys.Where(k => k.Name == name))
        {
            _cache.TryRemove(key, out _);
        }
    }
}
