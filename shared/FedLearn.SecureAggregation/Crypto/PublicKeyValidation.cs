using System.Numerics;
using System.Security.Cryptography;

namespace FedLearn.SecureAggregation.Crypto;

/// <summary>
/// Full public-key validation for the P-256 keys of a secure-aggregation round (SEC 1 v2, §3.2.2.1 "Elliptic Curve Public
/// Key Validation Primitive"; NIST SP 800-56A Rev. 3, §5.6.2.3.3): a SubjectPublicKeyInfo of exactly the named curve's
/// uncompressed point, coordinates in [0, p − 1], the point on y² = x³ − 3x + b. P-256 has cofactor 1, so every point on
/// the curve other than the point at infinity (which an uncompressed encoding cannot express) has order n. Checked by
/// the coordinator before it relays a key and by each participant before it uses one.
/// </summary>
public static class PublicKeyValidation
{
    /// <summary>DER length of an uncompressed P-256 SubjectPublicKeyInfo (the only form the project exports).</summary>
    public const int SpkiLength = 91;

    private const string P256Oid = "1.2.840.10045.3.1.7";

    // FIPS 186-4, Appendix D.1.2.3 (curve P-256): the prime p and the coefficient b (a = −3).
    private static readonly BigInteger P = BigInteger.Parse("115792089210356248762697446949407573530086143415290314195533631308867097853951");
    private static readonly BigInteger B = BigInteger.Parse("41058363725152142129326129780047268409114441015993725554835256314039467401291");

    /// <returns>Null for a valid P-256 public key, otherwise what is wrong with it.</returns>
    public static string? Problem(byte[]? subjectPublicKeyInfo)
    {
        if (subjectPublicKeyInfo is null || subjectPublicKeyInfo.Length != SpkiLength)
        {
            return $"a P-256 public key is a {SpkiLength}-byte SubjectPublicKeyInfo, not {subjectPublicKeyInfo?.Length ?? 0} bytes";
        }
        ECParameters parameters;
        try
        {
            using var key = ECDiffieHellman.Create();
            key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out var read);
            if (read != subjectPublicKeyInfo.Length)
            {
                return "the key has trailing bytes";
            }
            parameters = key.ExportParameters(includePrivateParameters: false);
        }
        catch (CryptographicException)
        {
            return "the bytes are not the SubjectPublicKeyInfo of an elliptic-curve key";
        }
        if (!parameters.Curve.IsNamed || parameters.Curve.Oid.Value != P256Oid)
        {
            return "the key is not on the named curve P-256";
        }
        return IsOnCurve(parameters.Q.X, parameters.Q.Y) ? null : "the point is not on the curve P-256";
    }

    /// <summary>x, y (32-byte big-endian) are below p and satisfy y² ≡ x³ − 3x + b (mod p).</summary>
    public static bool IsOnCurve(byte[]? x, byte[]? y)
    {
        if (x is not { Length: 32 } || y is not { Length: 32 })
        {
            return false;
        }
        var bx = new BigInteger(x, isUnsigned: true, isBigEndian: true);
        var by = new BigInteger(y, isUnsigned: true, isBigEndian: true);
        if (bx >= P || by >= P)
        {
            return false;
        }
        var left = BigInteger.ModPow(by, 2, P);
        var right = ((BigInteger.ModPow(bx, 3, P) - 3 * bx + B) % P + P) % P;
        return left == right;
    }
}
