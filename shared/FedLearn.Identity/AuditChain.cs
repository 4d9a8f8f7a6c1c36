using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace FedLearn.Identity;

/// <summary>One entry of the audit log of operator actions (see docs/security.md).</summary>
public sealed record AuditRecord(
    long Sequence, DateTimeOffset At, string Actor, string ActorRole, string Action, string Target, string Details,
    string PreviousHash, string EntryHash);

/// <summary>
/// The audit log's hash chain. An entry's hash is SHA-256 over its canonical bytes: the tag "fedlearn-audit-v1" and then
/// sequence, time (UTC, "yyyy-MM-ddTHH:mm:ss.ffffffZ"), actor, actor role, action, target, details and the previous
/// entry's hash, each written as its UTF-8 byte length in decimal, ':', the bytes and '\n'. The first entry's previous
/// hash is 64 zeros. Anyone can recompute it; a changed, removed or reordered entry breaks the chain.
/// </summary>
public static class AuditChain
{
    public static readonly string GenesisHash = new('0', 64);

    public static string Hash(long sequence, DateTimeOffset at, string actor, string actorRole, string action, string target, string details, string previousHash)
    {
        var canonical = new StringBuilder();
        foreach (var field in new[]
                 {
                     "fedlearn-audit-v1", sequence.ToString(CultureInfo.InvariantCulture), FormatTime(at), actor, actorRole, action, target, details, previousHash,
                 })
        {
            canonical.Append(CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(field)}:{field}\n");
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())));
    }

    /// <summary>Microseconds, PostgreSQL's precision, so a time read back hashes the same as the time written.</summary>
    public static DateTimeOffset Truncate(DateTimeOffset at) => new(at.UtcTicks - (at.UtcTicks % 10), TimeSpan.Zero);

    public static string FormatTime(DateTimeOffset at) => Truncate(at).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Every break in the chain, in order; empty when the log verifies.</summary>
    public static IReadOnlyList<string> Verify(IReadOnlyList<AuditRecord> entries)
    {
        var problems = new List<string>();
        var previous = GenesisHash;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Sequence != i + 1)
            {
                problems.Add($"entry {i + 1}: sequence {entry.Sequence}, expected {i + 1} (an entry is missing or out of order).");
            }
            if (entry.PreviousHash != previous)
            {
                problems.Add($"entry {entry.Sequence}: previous_hash does not match the hash of the entry before it.");
            }
            var recomputed = Hash(entry.Sequence, entry.At, entry.Actor, entry.ActorRole, entry.Action, entry.Target, entry.Details, entry.PreviousHash);
            if (recomputed != entry.EntryHash)
            {
                problems.Add($"entry {entry.Sequence}: entry_hash does not match its contents (changed after it was written).");
            }
            previous = entry.EntryHash;
        }
        return problems;
    }
}
