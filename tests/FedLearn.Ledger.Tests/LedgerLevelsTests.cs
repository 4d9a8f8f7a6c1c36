using System.Text;
using K = FedLearn.Ledger.LedgerDiscrepancyKinds;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// Ledgers that record the example-level (DP-SGD) guarantee beside the participant-level one, or alone: their canonical
/// bytes, what the verifier checks, and what sealing refuses.
/// </summary>
public sealed class LedgerLevelsTests
{
    // Pins the documented member order: participant level (absent here), example level, then the key.
    private const string GoldenExampleOnlyHeader =
        "{\"type\":\"fedlearn-ledger/1/header\",\"session_id\":\"s-1\",\"created_at\":\"2026-03-01T00:00:00.000Z\"," +
        "\"example_epsilon_budget\":4,\"example_delta\":1E-06,\"example_accountant\":\"rdp\",\"example_clip_norm\":1," +
        "\"example_noise_multiplier\":0,\"example_expected_batch_size\":256,\"public_key\":\"AAAA\"}";

    private const string GoldenExampleOnlyEntry =
        "{\"type\":\"fedlearn-ledger/1/entry\",\"sequence\":1,\"session_id\":\"s-1\",\"round\":1," +
        "\"recorded_at\":\"2026-03-01T00:01:00.000Z\",\"mechanism\":\"none\",\"participants_selected\":10," +
        "\"participants_aggregated\":9,\"example_epsilon_max\":1.25," +
        "\"model_sha256\":\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"," +
        "\"previous_hash\":\"ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100\"}";

    private static readonly DateTimeOffset Midnight = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Encode_ExampleOnlyHeader_OmitsParticipantLevelAndMatchesGoldenBytes()
    {
        var header = new LedgerHeader("s-1", Midnight, null, null, null, "AAAA", TestLedger.ExampleLevel with { Delta = 1e-6 });

        Assert.Equal(GoldenExampleOnlyHeader, Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(header)));
    }

    [Fact]
    public void Encode_ExampleOnlyEntry_OmitsParticipantLevelAndMatchesGoldenBytes()
    {
        var entry = new LedgerEntry(1, "s-1", 1, Midnight.AddMinutes(1), LedgerMechanisms.None, null, null, null, null, 10, 9,
            null, null, null, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
            "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100", "", "", ExampleEpsilonMax: 1.25);

        Assert.Equal(GoldenExampleOnlyEntry, Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(entry)));
    }

    [Fact]
    public void Verify_ExampleOnlyLedger_IsCleanAndReportsOnlyTheExampleLevel()
    {
        var (document, signer) = TestLedger.BuildWithExampleLevel(4, participantLevel: false);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Null(report.EpsilonBudget);
        Assert.Null(report.EnforcedAccountant);
        Assert.Null(report.RecomputedFinalEpsilonRdp);
        Assert.Equal(TestLedger.ExampleLevel, report.ExampleLevel);
        Assert.Equal(2.0, report.ExampleEpsilonMaxReported);
    }

    [Fact]
    public void Verify_BothLevels_RecomputesParticipantLevelAndReportsExampleLevelSeparately()
    {
        var (document, signer) = TestLedger.BuildWithExampleLevel(3, participantLevel: true);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Equal(document.Entries[^1].EpsilonPld!.Value, report.RecomputedFinalEpsilonPld!.Value, 1e-9);
        Assert.Equal(1.5, report.ExampleEpsilonMaxReported);
    }

    [Fact]
    public void Verify_ParticipantLevelEpsilonEditedInBothLevelLedger_StillCaught()
    {
        var (document, signer) = TestLedger.BuildWithExampleLevel(3, participantLevel: true);
        var forged = document.Replace(1, signer.Seal(document.Header, document.Entries[1] with { EpsilonPld = 0.01 }, document.Entries[1].PreviousHash));

        var report = LedgerVerifierTests.Verify(forged, signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == K.EpsilonUnderReported && d.Sequence == 2);
    }

    [Fact]
    public void Verify_ExampleEpsilonAboveTheExampleBudget_NamesEachSuchEntry()
    {
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, null, null, null, TestLedger.ExampleLevel);
        var entries = new List<LedgerEntry>();
        foreach (var (round, epsilon) in new[] { (1, 3.0), (2, 4.5), (3, 4.0), (4, 5.0) })
        {
            var unsealed = TestLedger.ExampleOnlyUnsealed(round, round, TestLedger.ModelSha(round)) with { ExampleEpsilonMax = epsilon };
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }
        var document = new LedgerDocument(header, entries, [.. entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256))]);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.Equal([2L, 4L], report.Discrepancies.Select(d => d.Sequence!.Value));
        Assert.All(report.Discrepancies, d => Assert.Equal(K.ExampleBudgetExceeded, d.Kind));
        Assert.Equal(5.0, report.ExampleEpsilonMaxReported);
    }

    [Fact]
    public void Verify_SignedEntryWithoutTheDeclaredExampleLevel_NamesLevelMismatch()
    {
        var (document, signer) = TestLedger.BuildWithExampleLevel(2, participantLevel: true);
        // Signed by the real key without the header check: only the level rule can catch it.
        var stripped = signer.Seal(document.Entries[1] with { ExampleEpsilonMax = null }, document.Entries[1].PreviousHash);

        var report = LedgerVerifierTests.Verify(document.Replace(1, stripped), signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.LevelMismatch, 2));
    }

    [Fact]
    public void Verify_NoneMechanismInParticipantLevelLedger_NamesLevelMismatchAndUncheckableEpsilon()
    {
        var (document, signer) = TestLedger.Build(2);
        var none = TestLedger.ExampleOnlyUnsealed(2, document.Entries[1].Round, document.Entries[1].ModelSha256);
        var sealedNone = signer.Seal(none, document.Entries[1].PreviousHash);

        var report = LedgerVerifierTests.Verify(document.Replace(1, sealedNone), signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.LevelMismatch, 2), (K.EpsilonNotRecomputable, 2));
    }

    [Fact]
    public void Seal_WithHeader_RefusesAnEntryThatLeavesOutADeclaredLevel()
    {
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, null, null, null, TestLedger.ExampleLevel);
        var entry = TestLedger.ExampleOnlyUnsealed(1, 1, TestLedger.ModelSha(1));

        var error = Assert.Throws<ArgumentException>(() => signer.Seal(header, entry, LedgerChain.NextPreviousHash(header)));

        Assert.Contains("example_epsilon_max", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_NoneMechanismCarryingParticipantLevelFields_IsRefused()
    {
        var signer = LedgerSigner.Create();
        var entry = TestLedger.ExampleOnlyUnsealed(1, 1, TestLedger.ModelSha(1)) with { NoiseMultiplier = 1.0, EpsilonRdp = 0.0 };

        var error = Assert.Throws<ArgumentException>(() => signer.Seal(entry, TestLedger.ModelSha(0)));

        Assert.Contains("noise_multiplier must be absent", error.Message, StringComparison.Ordinal);
        Assert.Contains("epsilon_rdp must be absent", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, false, "neither a participant-level")]
    [InlineData(8.0, null, "rdp", false, "delta must be in (0, 1); got nothing")]
    [InlineData(null, null, null, true, "example_noise_multiplier must be a finite number >= 0")]
    public void CreateHeader_MissingOrPartialLevels_AreRefused(double? budget, double? delta, string? accountant, bool negativeSigma, string messagePart)
    {
        using var signer = LedgerSigner.Create();
        var example = negativeSigma ? TestLedger.ExampleLevel with { NoiseMultiplier = -1 } : null;

        var error = Assert.Throws<ArgumentException>(() => signer.CreateHeader("s", TestLedger.Start, budget, delta, accountant, example));

        Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_ExampleOnlyLedger_RoundTripsAndStillVerifies()
    {
        var (document, signer) = TestLedger.BuildWithExampleLevel(2, participantLevel: false);

        var imported = LedgerJson.Deserialize(LedgerJson.Serialize(document));

        Assert.Equal(document.Header, imported.Header);
        Assert.Equal(document.Entries, imported.Entries);
        Assert.True(LedgerVerifierTests.Verify(imported, signer.PublicKey).IsValid);
    }

    [Fact]
    public void Json_ExportWrittenBeforeExampleLevelsExisted_StillReadsAndVerifies()
    {
        var (document, signer) = TestLedger.Build(2, legacyHeader: true);
        var json = LedgerJson.Serialize(document);
        foreach (var member in new[] { "example_level", "neighbouring_relation", "accounting_version", "epsilon_against", "against_coordinator", "example_epsilon_against" })
        {
            json = json.Replace($",\n    \"{member}\": null", "", StringComparison.Ordinal);
        }
        foreach (var member in new[] { "example_epsilon_max", "epsilon_against_coordinator_rdp", "epsilon_against_coordinator_pld", "sampler_tv_distance", "delta_total", "delta_total_against_coordinator" })
        {
            json = json.Replace($",\n      \"{member}\": null", "", StringComparison.Ordinal);
        }
        Assert.DoesNotContain("example_", json, StringComparison.Ordinal);
        Assert.DoesNotContain("against", json, StringComparison.Ordinal);
        Assert.DoesNotContain("neighbouring", json, StringComparison.Ordinal);
        Assert.DoesNotContain("delta_total", json, StringComparison.Ordinal);

        var report = LedgerVerifierTests.Verify(LedgerJson.Deserialize(json), signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
    }

    [Fact]
    public void Csv_ExampleOnlyEntry_LeavesParticipantLevelFieldsEmpty()
    {
        var (document, _) = TestLedger.BuildWithExampleLevel(1, participantLevel: false);

        var row = LedgerCsv.Write(document.Entries).Split("\r\n")[1];

        Assert.StartsWith("1,session-7,10,2026-03-01T12:10:00.000Z,none,,,,,50,48,,,,,,,,,,,,,,,,,,,,,,,,0.5,", row, StringComparison.Ordinal);
    }
}
