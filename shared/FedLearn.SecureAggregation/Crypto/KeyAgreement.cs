using System.Buffers.Binary;
using System.Security.Cryptography;

namespace FedLearn.SecureAggregation.Crypto;

/// <summary>
/// KA of Bonawitz et al. 2017 §3.3: ECDH on P-256 (SEC 1 / NIST SP 800-56A) followed by HKDF-SHA-256 (RFC 5869).
/// The raw shared x-coordinate is the HKDF input keying material; the salt binds the round, the info string binds
/// the purpose and the (ordered) pair of participants, so each derived key is used for one thing only.
/// </summary>
public static class KeyAgreement
{
    private const string ShareEncryption = "fedlearn/secagg/share-encryption";
    private static readonly ECCurve Curve = ECCurve.NamedCurves.nistP256;

    public static ECDiffieHellman NewKeyPair() => ECDiffieHellman.Create(Curve);

    public static byte[] ExportPublicKey(ECDiffieHellman key) => key.ExportSubjectPublicKeyInfo();

    /// <exception cref="CryptographicException">The bytes are not a valid P-256 public key (<see cref="PublicKeyValidation"/>).</exception>
    public static ECDiffieHellman ImportPublicKey(ReadOnlySpan<byte> subjectPublicKeyInfo)
    {
        if (PublicKeyValidation.Problem(subjectPublicKeyInfo.ToArray()) is { } problem)
        {
            throw new CryptographicException($"Not a valid P-256 public key: {problem}.");
        }
        var key = ECDiffieHellman.Create();
        key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException("Expected a P-256 public key.");
        }

        return key;
    }

    /// <summary>The 32-byte private scalar d (what is Shamir-shared as s_u^SK).</summary>
    public static byte[] ExportPrivateScalar(ECDiffieHellman key) => key.ExportParameters(true).D!;

    /// <summary>Rebuilds a key pair from a reconstructed scalar and the public key advertised for it.</summary>
    public static ECDiffieHellman ImportPrivateScalar(ReadOnlySpan<byte> d, ECDiffieHellman publicKey)
    {
        var parameters = publicKey.ExportParameters(false);
        parameters.D = d.ToArray();
        var key = ECDiffieHellman.Create();
        key.ImportParameters(parameters); // validates that d matches Q
        return key;
    }

    /// <summary>HKDF(ECDH(mine, theirs)) with salt = round id and info = purpose || first id || second id.</summary>
    public static byte[] Derive(
        ECDiffieHellman mine, ECDiffieHellman theirs, ReadOnlySpan<byte> roundId, string purpose, int first, int second,
        int length)
    {
        var secret = mine.DeriveRawSecretAgreement(theirs.PublicKey);
        try
        {
            return Expand(secret, roundId, purpose, first, second, length);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    private static byte[] Expand(byte[] secret, ReadOnlySpan<byte> roundId, string purpose, int first, int second, int length)
    {
        var info = new byte[purpose.Length + 8];
        System.Text.Encoding.ASCII.GetBytes(purpose, info);
        BinaryPrimitives.WriteInt32BigEndian(info.AsSpan(purpose.Length), first);
        BinaryPrimitives.WriteInt32BigEndian(info.AsSpan(purpose.Length + 4), second);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, length, roundId.ToArray(), info);
    }

    /// <summary>Pairwise mask seed s_{u,v} (Bonawitz §4): symmetric in u, v.</summary>
    public static byte[] PairwiseMaskSeed(ECDiffieHellman mine, ECDiffieHellman theirs, ReadOnlySpan<byte> roundId, int u, int v) =>
        Derive(mine, theirs, roundId, "fedlearn/secagg/pairwise-mask", Math.Min(u, v), Math.Max(u, v), MaskKey.SeedBytes);

    /// <summary>Directional AES-256-GCM key for shares sent from → to, so the two directions never share a key.</summary>
    public static byte[] ShareEncryptionKey(ECDiffieHellman mine, ECDiffieHellman theirs, ReadOnlySpan<byte> roundId, int from, int to) =>
        Derive(mine, theirs, roundId, ShareEncryption, from, to, 32);

    /// <summary>Both directional share keys (self → other, other → self) from one ECDH.</summary>
    public static (byte[] Send, byte[] Receive) ShareEncryptionKeys(
        ECDiffieHellman mine, ECDiffieHellman theirs, ReadOnlySpan<byte> roundId, int self, int other)
    {
        var secret = mine.DeriveRawSecretAgreement(theirs.PublicKey);
        try
        {
            return (Expand(secret, roundId, ShareEncryption, self, other, 32), Expand(secret, roundId, ShareEncryption, other, self, 32));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }
}
