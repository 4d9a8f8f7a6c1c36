using System.Security.Cryptography;
using FedLearn.SecureAggregation.Crypto;

namespace FedLearn.SecureAggregation.Tests.Crypto;

public sealed class PublicKeyValidationTests
{
    [Fact]
    public void Problem_ExportedP256Key_IsNull()
    {
        using var key = KeyAgreement.NewKeyPair();

        Assert.Null(PublicKeyValidation.Problem(KeyAgreement.ExportPublicKey(key)));
    }

    [Fact]
    public void Problem_PointMovedOffTheCurve_IsRejected()
    {
        using var key = KeyAgreement.NewKeyPair();
        var spki = KeyAgreement.ExportPublicKey(key);
        spki[^1] ^= 1; // the last byte of y: same length, same structure, no longer a curve point

        Assert.NotNull(PublicKeyValidation.Problem(spki));
        Assert.ThrowsAny<CryptographicException>(() => KeyAgreement.ImportPublicKey(spki));
    }

    [Fact]
    public void Problem_RandomBytesOfTheRightLength_IsRejected()
    {
        Assert.NotNull(PublicKeyValidation.Problem(RandomNumberGenerator.GetBytes(PublicKeyValidation.SpkiLength)));
    }

    [Fact]
    public void Problem_KeyOnAnotherCurve_IsRejected()
    {
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);

        Assert.NotNull(PublicKeyValidation.Problem(p384.ExportSubjectPublicKeyInfo()));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(90)]
    [InlineData(92)]
    public void Problem_WrongLength_NamesTheExpectedLength(int length)
    {
        var problem = PublicKeyValidation.Problem(new byte[length]);

        Assert.NotNull(problem);
        Assert.Contains("91-byte", problem, StringComparison.Ordinal);
        Assert.NotNull(PublicKeyValidation.Problem(null));
    }

    [Fact]
    public void IsOnCurve_GeneratorAndOutsiders()
    {
        // FIPS 186-4, D.1.2.3: the base point G of P-256.
        var gx = Convert.FromHexString("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296");
        var gy = Convert.FromHexString("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");
        var p = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");

        Assert.True(PublicKeyValidation.IsOnCurve(gx, gy));
        Assert.False(PublicKeyValidation.IsOnCurve(new byte[32], new byte[32]));
        Assert.False(PublicKeyValidation.IsOnCurve(p, gy));
        Assert.False(PublicKeyValidation.IsOnCurve(gx[..31], gy));
    }
}
