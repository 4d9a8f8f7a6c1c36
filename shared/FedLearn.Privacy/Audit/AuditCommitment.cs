using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FedLearn.Privacy.Audit;

/// <summary>
/// What an audited session fixes before it starts (docs/audit.md, "The commitment"): SHA-256 over a label, the secret canary
/// seed, K, K′ and the confidence. The seed stays secret until the session has ended, so nobody can tell the canaries'
/// directions from the commitment (SHA-256 is preimage-resistant), and afterwards only a report of exactly the canaries that
/// were inserted, measured at the chosen confidence, matches it (SHA-256 is collision-resistant; FIPS 180-4).
/// </summary>
public static class AuditCommitment
{
    public const int Bytes = 32;

    private static readonly byte[] Label = "fedlearn-audit-commitment/1"u8.ToArray();

    public static byte[] Compute(ReadOnlySpan<byte> seed, int canaries, int unseen, double confidence)
    {
        if (seed.Length != AuditRandom.SeedBytes)
        {
            throw new ArgumentException($"An audit seed has {AuditRandom.SeedBytes} bytes; got {seed.Length}.", nameof(seed));
        }
        var message = new byte[Label.Length + seed.Length + 4 + 4 + 8];
        Label.CopyTo(message, 0);
        seed.CopyTo(message.AsSpan(Label.Length));
        var rest = message.AsSpan(Label.Length + seed.Length);
        BinaryPrimitives.WriteInt32BigEndian(rest, canaries);
        BinaryPrimitives.WriteInt32BigEndian(rest[4..], unseen);
        BinaryPrimitives.WriteDoubleBigEndian(rest[8..], confidence);
        return SHA256.HashData(message);
    }

    /// <summary>The commitment as lowercase hex, the form the ledger header and the report carry.</summary>
    public static string ComputeHex(ReadOnlySpan<byte> seed, int canaries, int unseen, double confidence) =>
        Convert.ToHexStringLower(Compute(seed, canaries, unseen, confidence));

    /// <summary>True when <paramref name="commitment"/> is the commitment to these values (compared in constant time).</summary>
    public static bool Matches(ReadOnlySpan<byte> commitment, ReadOnlySpan<byte> seed, int canaries, int unseen, double confidence) =>
        CryptographicOperations.FixedTimeEquals(commitment, Compute(seed, canaries, unseen, confidence));
}
