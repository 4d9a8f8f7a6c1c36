namespace FedLearn.Coordinator.Security;

/// <summary>Whether an authenticated caller's identity or certificate has been revoked; consulted on every call.</summary>
internal interface IRevocationList
{
    /// <summary>Null if the caller may go on; otherwise why not.</summary>
    ValueTask<string?> CheckAsync(CallerIdentity caller, CancellationToken ct);
}
