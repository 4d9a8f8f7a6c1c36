using System.Text;
using FedLearn.Privacy;
using K = FedLearn.Ledger.LedgerDiscrepancyKinds;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// The header names the neighbouring relation and whom each figure holds against; secure-aggregation entries record the
/// worst-case ε against the coordinator; empty charged steps are representable. Old ledgers keep verifying.
/// </summary>
public sealed class LedgerAdversariesTests
{
    private const string Sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private const string Previous = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    // Pins the documented member order of every new member (docs/ledger.md, "Canonical encoding").
    private const string GoldenSecureBothLevelsHeader =
        "{\"type\":\"fedlearn-ledger/1/header\",\"session_id\":\"s-1\",\"created_at\":\"2026-03-01T00:00:00.000Z\"," +
        "\"neighbouring_relation\":\"zero-out\",\"epsilon_budget\":4,\"delta\":1E-05,\"accountant\":\"rdp\"," +
        "\"epsilon_against\":\"release_consumers\",\"against_coordinator\":\"recorded\"," +
        "\"example_epsilon_budget\":4,\"example_delta\":1E-06,\"example_accountant\":\"rdp\",\"example_clip_norm\":1," +
        "\"example_noise_multiplier\":0,\"example_expected_batch_size\":256," +
        "\"example_epsilon_against\":\"release_consumers_and_coordinator\",\"public_key\":\"AAAA\"}";

    private const string GoldenCentralHeader =
        "{\"type\":\"fedlearn-ledger/1/header\",\"session_id\":\"s-1\",\"created_at\":\"2026-03-01T00:00:00.000Z\"," +
        "\"neighbouring_relation\":\"zero-out\",\"epsilon_budget\":4,\"delta\":1E-05,\"accountant\":\"pld\"," +
        "\"epsilon_against\":\"release_consumers\",\"against_coordinator\":\"trusted\",\"public_key\":\"AAAA\"}";

    private const string GoldenEmptySecureEntry =
        "{\"type\":\"fedlearn-ledger/1/entry\",\"sequence\":2,\"session_id\":\"s-1\",\"round\":2," +
        "\"recorded_at\":\"2026-03-01T00:02:00.000Z\",\"mechanism\":\"distributed_discrete_gaussian\",\"sampling_rate\":0.1," +
        "\"noise_multiplier\":0.9,\"clip_norm\":1,\"sensitivity\":1.002,\"participants_selected\":3,\"participants_aggregated\":0," +
        "\"delta\":1E-05,\"epsilon_rdp\":0.75,\"epsilon_pld\":0.5,\"epsilon_against_coordinator_rdp\":12.5," +
        "\"epsilon_against_coordinator_pld\":9.25,\"example_epsilon_max\":0," +
        "\"model_sha256\":\"" + Sha + "\",\"previous_hash\":\"" + Previous + "\"}";

    private static readonly DateTimeOffset Midnight = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Encode_SecureAggregationHeaderWithBothLevels_MatchesGoldenBytes()
    {
        var header = new LedgerHeader("s-1", Midnight, 4, 1e-5, "rdp", "AAAA", TestLedger.ExampleLevel with { Delta = 1e-6 },
            LedgerAdversaries.ZeroOut, LedgerAdversaries.ReleaseConsumers, LedgerAdversaries.CoordinatorRecorded,
            LedgerAdversaries.ReleaseConsumersAndCoordinator);

        Assert.Equal(GoldenSecureBothLevelsHeader, Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(header)));
    }

    [Fact]
    public void CreateHeader_CentralNoise_NamesTheRelationAndATrustedCoordinator()
    {
        using var signer = LedgerSigner.Create();
        var header = signer.CreateHeader("s-1", Midnight, 4, 1e-5, "pld") with { PublicKey = "AAAA" };

        Assert.Equal(GoldenCentralHeader, Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(header)));
    }

    [Fact]
    public void CreateHeader_ExampleOnly_NamesOnlyTheExampleLevelsAdversary()
    {
        using var signer = LedgerSigner.Create();

        var header = signer.CreateHeader("s-1", Midnight, null, null, null, TestLedger.ExampleLevel);

        Assert.Equal(LedgerAdversaries.ZeroOut, header.NeighbouringRelation);
        Assert.Null(header.EpsilonAgainst);
        Assert.Null(header.AgainstCoordinator);
        Assert.Equal(LedgerAdversaries.ReleaseConsumersAndCoordinator, header.ExampleEpsilonAgainst);
    }

    [Fact]
    public void Encode_EmptySecureAggregationStep_MatchesGoldenBytes()
    {
        var entry = new LedgerEntry(2, "s-1", 2, Midnight.AddMinutes(2), LedgerMechanisms.DistributedDiscreteGaussian, 0.1, 0.9, 1, 1.002,
            3, 0, 1e-5, 0.75, 0.5, Sha, Previous, "", "", ExampleEpsilonMax: 0, EpsilonAgainstCoordinatorRdp: 12.5, EpsilonAgainstCoordinatorPld: 9.25);

        Assert.Equal(GoldenEmptySecureEntry, Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(entry)));
    }

    [Fact]
    public void Verify_SecureAggregationLedgerWithEmptySteps_IsCleanAndRecomputesEpsilonAgainstTheCoordinator()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(4, 1, 2);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Equal(LedgerAdversaries.ZeroOut, report.NeighbouringRelation);
        Assert.Equal(LedgerAdversaries.CoordinatorRecorded, report.AgainstCoordinator);
        var unamplified = new[] { new SubsampledGaussianStep(1.0, TestLedger.NoiseMultiplier, 4) };
        Assert.Equal(MemoizingAccountant.Shared.Rdp.GetEpsilon(unamplified, TestLedger.Delta), report.RecomputedFinalEpsilonAgainstCoordinatorRdp!.Value, 1e-9);
        Assert.Equal(document.Entries[^1].EpsilonAgainstCoordinatorPld!.Value, report.RecomputedFinalEpsilonAgainstCoordinatorPld!.Value, 1e-9);
        // Against the coordinator nothing is amplified, so the figure is above the release consumers' one.
        Assert.True(report.RecordedFinalEpsilonAgainstCoordinatorRdp > report.RecordedFinalEpsilonRdp);
    }

    [Fact]
    public void Verify_CentralNoiseLedger_HasNoFigureAgainstTheCoordinator()
    {
        var (document, signer) = TestLedger.Build(2);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Equal(LedgerAdversaries.CoordinatorTrusted, report.AgainstCoordinator);
        Assert.Null(report.RecomputedFinalEpsilonAgainstCoordinatorRdp);
    }

    [Fact]
    public void Verify_UnderstatedEpsilonAgainstTheCoordinator_SignedWithTheRealKey_IsNamed()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(3);
        var last = document.Entries[^1];
        var forged = signer.Seal(document.Header, last with { EpsilonAgainstCoordinatorRdp = 0.5 }, last.PreviousHash);

        var report = LedgerVerifierTests.Verify(document.Replace(2, forged), signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.EpsilonAgainstCoordinatorUnderReported, 3));
    }

    [Fact]
    public void Verify_EpsilonAgainstTheCoordinatorEditedInTheExport_IsNamed()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(3);
        var edited = document.Replace(1, document.Entries[1] with { EpsilonAgainstCoordinatorPld = 1.0 });

        var report = LedgerVerifierTests.Verify(edited, signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.HashMismatch, 2), (K.SignatureInvalid, 2), (K.EpsilonAgainstCoordinatorUnderReported, 2));
    }

    [Fact]
    public void Verify_HeaderClaimingATrustedCoordinatorInASecureLedger_IsNamed()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(2);
        var relabelled = document with { Header = document.Header with { AgainstCoordinator = LedgerAdversaries.CoordinatorTrusted } };

        var report = LedgerVerifierTests.Verify(relabelled, signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.BrokenLink, 1), (K.LevelMismatch, 1), (K.LevelMismatch, 2));
    }

    [Theory]
    [InlineData("add-or-remove", null, "neighbouring_relation must be \"zero-out\"")]
    [InlineData("zero-out", "everyone", "epsilon_against must be \"release_consumers\"")]
    [InlineData(null, "release_consumers", "epsilon_against must be absent in a header that names no neighbouring_relation")]
    public void Verify_HeaderWithAnotherRelationOrAdversary_IsMalformed(string? relation, string? epsilonAgainst, string message)
    {
        var (document, signer) = TestLedger.Build(1);
        var header = document.Header with { NeighbouringRelation = relation, EpsilonAgainst = epsilonAgainst ?? document.Header.EpsilonAgainst };
        if (relation is null)
        {
            header = header with { AgainstCoordinator = null };
        }

        var report = LedgerVerifierTests.Verify(document with { Header = header }, signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.HeaderMalformed, null), (K.BrokenLink, 1));
        Assert.Contains(report.OfKind(K.HeaderMalformed), d => d.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Verify_EmptyStepThatChangedTheModel_IsNamed()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(3, 2);
        var last = document.Entries[^1];
        var changed = signer.Seal(document.Header, last with { ModelSha256 = TestLedger.ModelSha(99) }, last.PreviousHash);
        var checkpoints = document.Checkpoints.Select(c => c.Round == last.Round ? c with { Sha256 = changed.ModelSha256 } : c).ToList();

        var report = LedgerVerifierTests.Verify(document.Replace(2, changed) with { Checkpoints = checkpoints }, signer.PublicKey);

        LedgerVerifierTests.AssertKinds(report, (K.EmptyStepModelChanged, 3));
    }

    [Fact]
    public void Seal_SecureHeaderEntryWithoutTheFigureAgainstTheCoordinator_IsRefused()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(1);
        var entry = document.Entries[0] with { EpsilonAgainstCoordinatorRdp = null, EpsilonAgainstCoordinatorPld = null };

        var error = Assert.Throws<ArgumentException>(() => signer.Seal(document.Header, entry, entry.PreviousHash));

        Assert.Contains("epsilon_against_coordinator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_CentralEntryUnderASecureHeader_IsRefused()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(1);
        var entry = document.Entries[0] with { Mechanism = LedgerMechanisms.CentralGaussian };

        var error = Assert.Throws<ArgumentException>(() => signer.Seal(document.Header, entry, entry.PreviousHash));

        Assert.Contains("does not match the header's against_coordinator", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Seal_EmptyStepWithoutAParticipantLevel_IsRefused()
    {
        using var signer = LedgerSigner.Create();
        var entry = TestLedger.ExampleOnlyUnsealed(1, 1, Sha) with { ParticipantsAggregated = 0 };

        var error = Assert.Throws<ArgumentException>(() => signer.Seal(entry, Previous));

        Assert.Contains("participants_aggregated must be in [1,", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_LedgerWrittenBeforeTheHeaderNamedItsRelation_StillVerifies()
    {
        var (document, signer) = TestLedger.Build(3, legacyHeader: true);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Null(report.NeighbouringRelation);
        Assert.Null(report.AgainstCoordinator);
    }

    [Fact]
    public void Json_SecureAggregationLedger_RoundTripsAndCsvCarriesTheFigureAgainstTheCoordinator()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(2, 1);

        var json = LedgerJson.Serialize(document);
        var imported = LedgerJson.Deserialize(json);
        var csv = LedgerCsv.Write(document.Entries).Split("\r\n");

        Assert.Contains("\"neighbouring_relation\": \"zero-out\"", json, StringComparison.Ordinal);
        Assert.Contains("\"epsilon_against_coordinator_rdp\": ", json, StringComparison.Ordinal);
        Assert.Equal(document.Header, imported.Header);
        Assert.Equal(document.Entries, imported.Entries);
        Assert.True(LedgerVerifierTests.Verify(imported, signer.PublicKey).IsValid);
        var column = LedgerCsv.Columns.ToList().IndexOf("epsilon_against_coordinator_rdp");
        Assert.Equal(document.Entries[1].EpsilonAgainstCoordinatorRdp!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), csv[2].Split(',')[column]);
        Assert.Equal("0", csv[2].Split(',')[LedgerCsv.Columns.ToList().IndexOf("participants_aggregated")]);
    }
}
