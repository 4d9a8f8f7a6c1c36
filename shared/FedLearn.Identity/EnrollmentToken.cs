using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace FedLearn.Identity;

/// <summary>
/// A single-use enrollment token: <c>fl1.CAFINGERPRINT.SECRET</c>. The SHA-256 fingerprint of the federation CA lets the
/// enrolling party authenticate the coordinator before it sends anything (no trust on first use); the 32-byte secret from
/// the CSPRNG is what proves the invitation. The coordinator stores only the secret's SHA-256.
/// </summary>
public sealed record EnrollmentToken(string CaFingerprint, string Secret)
{
    private const string Prefix = "fl1";

    /// <summary>The longest token string accepted anywhere (the real ones are 112 characters).</summary>
    public const int MaxLength = 200;

    public static EnrollmentToken Create(string caFingerprint) =>
        new(caFingerprint, Base64Url(RandomNumberGenerator.GetBytes(32)));

    public override string ToString() => $"{Prefix}.{CaFingerprint}.{Secret}";

    /// <summary>SHA-256 of the secret: what the coordinator stores and looks up.</summary>
    public byte[] SecretHash() => HashSecret(Secret);

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.ASCII.GetBytes(secret));

    public static bool TryParse(string? text, [NotNullWhen(true)] out EnrollmentToken? token)
    {
        token = null;
        if (text is null || text.Length > MaxLength)
        {
            return false;
        }
        var parts = text.Trim().Split('.');
        if (parts.Length != 3 || parts[0] != Prefix || parts[1].Length != 64 || !parts[1].All(char.IsAsciiHexDigitLower)
            || parts[2].Length != 43 || !parts[2].All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            return false;
        }
        token = new EnrollmentToken(parts[1], parts[2]);
        return true;
    }

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
