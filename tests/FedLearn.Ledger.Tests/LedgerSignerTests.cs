using System.Security.Cryptography;

namespace FedLearn.Ledger.Tests;

public sealed class LedgerSignerTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ledger-signer-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void LoadOrCreate_MissingFile_CreatesOwnerOnlyKeyThatReloadsAsSameKey()
    {
        var path = Path.Combine(_directory, "keys", "ledger.pem");

        using var created = LedgerSigner.LoadOrCreate(path);
        using var reloaded = LedgerSigner.LoadOrCreate(path);

        Assert.Equal(created.PublicKey, reloaded.PublicKey);
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Seal_ValidEntry_SignatureVerifiesUnderPublishedKey()
    {
        using var signer = LedgerSigner.Create();
        var header = signer.CreateHeader("s", DateTimeOffset.UnixEpoch, 5, 1e-5, "rdp");

        var sealedEntry = signer.Seal(TestLedger.Unsealed(1, 1, TestLedger.ModelSha(1), 1, 1), LedgerChain.NextPreviousHash(header));

        using var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(signer.PublicKey), out _);
        Assert.True(key.VerifyData(
            LedgerCanonicalEncoding.Encode(sealedEntry), Convert.FromBase64String(sealedEntry.Signature),
            HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.Equal(LedgerCanonicalEncoding.ComputeHash(sealedEntry), sealedEntry.EntryHash);
        Assert.Equal(LedgerCanonicalEncoding.ComputeHash(header), sealedEntry.PreviousHash);
    }

    [Fact]
    public void Seal_SubMillisecondTime_TruncatedToWholeMillisecondsUtc()
    {
        using var signer = LedgerSigner.Create();
        var time = new DateTimeOffset(2026, 1, 1, 3, 0, 0, TimeSpan.FromHours(3)).AddTicks(12_345_678);

        var sealedEntry = signer.Seal(TestLedger.Unsealed(1, 1, TestLedger.ModelSha(1), 1, 1) with { RecordedAt = time }, new string('a', 64));

        Assert.Equal(TimeSpan.Zero, sealedEntry.RecordedAt.Offset);
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 1, 234, TimeSpan.Zero), sealedEntry.RecordedAt);
    }

    public static TheoryData<string, Func<LedgerEntry, LedgerEntry>> MalformedEntries => new()
    {
        { "sampling_rate", e => e with { SamplingRate = 0 } },
        { "sampling_rate", e => e with { SamplingRate = 1.01 } },
        { "noise_multiplier", e => e with { NoiseMultiplier = double.PositiveInfinity } },
        { "clip_norm", e => e with { ClipNorm = double.NaN } },
        { "delta", e => e with { Delta = 1 } },
        { "epsilon_rdp", e => e with { EpsilonRdp = -0.0 } },
        { "epsilon_pld", e => e with { EpsilonPld = double.NaN } },
        { "model_sha256", e => e with { ModelSha256 = new string('A', 64) } },
        { "participants_aggregated", e => e with { ParticipantsAggregated = 51 } },
        { "mechanism", e => e with { Mechanism = "local_laplace" } },
        { "session_id", e => e with { SessionId = "" } },
    };

    [Theory]
    [MemberData(nameof(MalformedEntries))]
    public void Seal_MalformedField_ThrowsNamingTheField(string field, Func<LedgerEntry, LedgerEntry> corrupt)
    {
        using var signer = LedgerSigner.Create();
        var entry = corrupt(TestLedger.Unsealed(1, 1, TestLedger.ModelSha(1), 1, 1));

        var ex = Assert.Throws<ArgumentException>(() => signer.Seal(entry, new string('a', 64)));

        Assert.Contains(field, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_PreviousHashNotHex_Throws()
    {
        using var signer = LedgerSigner.Create();

        Assert.Throws<ArgumentException>(() => signer.Seal(TestLedger.Unsealed(1, 1, TestLedger.ModelSha(1), 1, 1), "not-a-hash"));
    }

    [Fact]
    public void PublicKeySha256_IsTheSha256OfTheSpkiDer()
    {
        using var signer = LedgerSigner.Create();

        var expected = Convert.ToHexStringLower(SHA256.HashData(Convert.FromBase64String(signer.PublicKey)));

        Assert.Equal(expected, signer.PublicKeySha256);
        Assert.Equal(expected, LedgerSigner.Fingerprint(signer.PublicKey));
    }

    [Fact]
    public void HasSigned_OwnEntry_ButNotAnEditedOrForeignOne()
    {
        var (document, signer) = TestLedger.Build(1);
        using var other = LedgerSigner.Create();
        var entry = document.Entries[0];

        Assert.True(signer.HasSigned(entry));
        Assert.False(signer.HasSigned(entry with { EpsilonRdp = 0.1 }));
        Assert.False(signer.HasSigned(other.Seal(entry, entry.PreviousHash)));
        Assert.False(other.HasSigned(entry));
    }

    [Fact]
    public void ForeignKeyProblem_NamesBothFingerprints_OnlyForAnotherKey()
    {
        using var signer = LedgerSigner.Create();
        using var other = LedgerSigner.Create();

        Assert.Null(signer.ForeignKeyProblem(signer.PublicKey));
        var problem = signer.ForeignKeyProblem(other.PublicKey);
        Assert.Contains(other.PublicKeySha256, problem, StringComparison.Ordinal);
        Assert.Contains(signer.PublicKeySha256, problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_KeyNotOnP256_Throws()
    {
        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);

        Assert.Throws<ArgumentException>(() => new LedgerSigner(p384));
    }
}
