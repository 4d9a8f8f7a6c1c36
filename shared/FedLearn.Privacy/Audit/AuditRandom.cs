using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FedLearn.Privacy.Audit;

/// <summary>
/// A deterministic stream of uniforms keyed by the audit's secret seed: AES-256 in counter mode (NIST SP 800-38A §6.5)
/// under the key HMAC-SHA256(seed, label ‖ stream) (key derivation with a PRF, NIST SP 800-108 §4). The seed itself comes from a CSPRNG and stays with the auditor
/// until the session has ended; it is then published in the audit report, so anyone can regenerate every canary direction
/// and the bootstrap resamples and recompute the report's figures from the released models.
/// </summary>
public sealed class AuditRandom : IDisposable
{
    /// <summary>Bytes of a seed: 256 bits, as <see cref="NewSeed"/> draws them.</summary>
    public const int SeedBytes = 32;

    private const int BlocksPerRefill = 256;

    private readonly Aes _aes = Aes.Create();
    private readonly byte[] _counters = new byte[16 * BlocksPerRefill];
    private readonly byte[] _block = new byte[16 * BlocksPerRefill];
    private ulong _counter;
    private int _used = 16 * BlocksPerRefill;

    /// <param name="seed">The audit's seed (<see cref="SeedBytes"/> bytes).</param>
    /// <param name="label">What the stream is for ("direction", "bootstrap"), so two uses never share bits.</param>
    /// <param name="stream">Which stream of that use (the canary's index, say).</param>
    public AuditRandom(ReadOnlySpan<byte> seed, string label, long stream)
    {
        if (seed.Length != SeedBytes)
        {
            throw new ArgumentException($"An audit seed has {SeedBytes} bytes; got {seed.Length}.", nameof(seed));
        }
        ArgumentException.ThrowIfNullOrEmpty(label);
        var labelBytes = System.Text.Encoding.UTF8.GetBytes(label);
        var message = new byte[labelBytes.Length + 1 + 8];
        labelBytes.CopyTo(message, 0);
        BinaryPrimitives.WriteInt64BigEndian(message.AsSpan(labelBytes.Length + 1), stream);
        _aes.Key = HMACSHA256.HashData(seed, message);
    }

    /// <summary>A fresh seed from the operating system's CSPRNG.</summary>
    public static byte[] NewSeed() => RandomNumberGenerator.GetBytes(SeedBytes);

    /// <summary>A uniform double in the open interval (0, 1), 53 random bits.</summary>
    public double NextOpenUnit() => ((NextUInt64() >> 11) + 0.5) / 9007199254740992.0;

    /// <summary>A uniform integer in [0, n), by rejection so no value is favoured.</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        var limit = ulong.MaxValue - (ulong.MaxValue % (ulong)n);
        ulong value;
        do
        {
            value = NextUInt64();
        }
        while (value >= limit);
        return (int)(value % (ulong)n);
    }

    /// <summary>A standard normal sample (Box & Muller 1958). Canary directions are not privacy noise, so floating point is fine here.</summary>
    public double NextGaussian() =>
        Math.Sqrt(-2.0 * Math.Log(NextOpenUnit())) * Math.Cos(2.0 * Math.PI * NextOpenUnit());

    private ulong NextUInt64()
    {
        if (_used + 8 > _block.Length)
        {
            for (var i = 0; i < BlocksPerRefill; i++)
            {
                BinaryPrimitives.WriteUInt64BigEndian(_counters.AsSpan(16 * i + 8, 8), _counter++);
            }
            _aes.EncryptEcb(_counters, _block, PaddingMode.None);
            _used = 0;
        }
        var value = BinaryPrimitives.ReadUInt64BigEndian(_block.AsSpan(_used, 8));
        _used += 8;
        return value;
    }

    public void Dispose() => _aes.Dispose();
}
