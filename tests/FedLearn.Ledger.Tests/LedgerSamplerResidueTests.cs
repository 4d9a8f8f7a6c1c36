using FedLearn.Privacy;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// Accounting version 2: the δ each figure holds at includes the samplers' distance from the exact discrete Gaussian,
/// δ + (1 + e^ε)·Σ η (docs/ledger.md, "The samplers' error is in delta_total"), and the verifier recomputes it.
/// </summary>
public sealed class LedgerSamplerResidueTests
{
    // Pins the documented member order of the version-2 members (docs/ledger.md, "Canonical encoding").
    private const string GoldenVersion2Header =
        "{\"type\":\"fedlearn-ledger/1/header\",\"session_id\":\"s-1\",\"created_at\":\"2026-03-01T00:00:00.000Z\"," +
        "\"neighbouring_relation\":\"zero-out\",\"accounting_version\":2,\"epsilon_budget\":4,\"delta\":1E-05,\"accountant\":\"rdp\"," +
        "\"epsilon_against\":\"release_consumers\",\"against_coordinator\":\"recorded\",\"public_key\":\"AAAA\"}";

    private const string GoldenVersion2Entry =
        "{\"type\":\"fedlearn-ledger/1/entry\",\"sequence\":1,\"session_id\":\"s-1\",\"round\":1," +
        "\"recorded_at\":\"2026-03-01T00:01:00.000Z\",\"mechanism\":\"distributed_discrete_gaussian\",\"sampling_rate\":0.1," +
        "\"noise_multiplier\":0.9,\"clip_norm\":1,\"sensitivity\":1.002,\"participants_selected\":3,\"participants_aggregated\":3," +
        "\"delta\":1E-05,\"epsilon_rdp\":0.75,\"epsilon_pld\":0.5,\"epsilon_against_coordinator_rdp\":12.5," +
        "\"epsilon_against_coordinator_pld\":9.25,\"sampler_tv_distance\":2.5E-15,\"delta_total\":1.0000000000005E-05," +
        "\"delta_total_against_coordinator\":1.0000678E-05,\"model_sha256\":\"" + Sha + "\",\"previous_hash\":\"" + Previous + "\"}";

    private const string Sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private const string Previous = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    [Fact]
    public void Encode_Version2HeaderAndEntry_MatchGoldenBytes()
    {
        var midnight = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var header = new LedgerHeader("s-1", midnight, 4, 1e-5, "rdp", "AAAA", null, LedgerAdversaries.ZeroOut,
            LedgerAdversaries.ReleaseConsumers, LedgerAdversaries.CoordinatorRecorded, AccountingVersion: 2);
        var entry = new LedgerEntry(1, "s-1", 1, midnight.AddMinutes(1), LedgerMechanisms.DistributedDiscreteGaussian, 0.1, 0.9, 1, 1.002,
            3, 3, 1e-5, 0.75, 0.5, Sha, Previous, "", "", EpsilonAgainstCoordinatorRdp: 12.5, EpsilonAgainstCoordinatorPld: 9.25,
            SamplerTvDistance: 2.5e-15, DeltaTotal: 1.0000000000005e-5, DeltaTotalAgainstCoordinator: 1.0000678e-5);

        Assert.Equal(GoldenVersion2Header, System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(header)));
        Assert.Equal(GoldenVersion2Entry, System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(entry)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verify_Version2Ledger_RecomputesDeltaTotal(bool secure)
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(4, secure);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("; ", report.Discrepancies.Select(d => d.Message)));
        Assert.Equal(LedgerAccountingVersions.SamplerResidueInDelta, report.AccountingVersion);
        var last = document.Entries[^1];
        var expected = TestLedger.Delta + ((1 + Math.Exp(Math.Max(last.EpsilonRdp!.Value, last.EpsilonPld!.Value))) * 4e-9);
        Assert.Equal(expected, report.RecomputedFinalDeltaTotal!.Value, 1e-15);
        Assert.True(report.RecomputedFinalDeltaTotal > TestLedger.Delta);
        Assert.Equal(secure, report.RecomputedFinalDeltaTotalAgainstCoordinator is not null);
        if (secure)
        {
            // ε against the coordinator is larger, so the same distance costs it more δ.
            Assert.True(report.RecomputedFinalDeltaTotalAgainstCoordinator > report.RecomputedFinalDeltaTotal);
        }
    }

    [Fact]
    public void Verify_DeltaTotalLeftAtDelta_IsUnderReported()
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(3, secure: true);
        // A coordinator that signs δ without the residue (as version 1 did) while declaring version 2.
        var understated = document.WithEntries(document.Entries.Select(e => e with { DeltaTotal = TestLedger.Delta })).Resealed(signer);

        var report = LedgerVerifierTests.Verify(understated, signer.PublicKey);

        Assert.Equal([1L, 2L, 3L], report.OfKind(LedgerDiscrepancyKinds.DeltaTotalUnderReported).Select(d => d.Sequence!.Value));
        Assert.All(report.Discrepancies, d => Assert.Equal(LedgerDiscrepancyKinds.DeltaTotalUnderReported, d.Kind));
    }

    [Fact]
    public void Verify_SamplerDistanceRaisedAfterSealing_NamesTheDeltaAndTheEdit()
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(3, secure: false);
        var raised = document.Replace(1, document.Entries[1] with { SamplerTvDistance = 1e-6 });

        var report = LedgerVerifierTests.Verify(raised, signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == LedgerDiscrepancyKinds.HashMismatch && d.Sequence == 2);
        // From entry 2 on, the recorded δ no longer pays for the (now larger) summed distance.
        Assert.Equal([2L, 3L], report.OfKind(LedgerDiscrepancyKinds.DeltaTotalUnderReported).Select(d => d.Sequence!.Value));
    }

    [Fact]
    public void Verify_Version2EntryWithoutTheResidue_IsALevelMismatch_AndVersion1EntryWithIt_Too()
    {
        var (v2, signer2) = TestLedger.BuildWithSamplerResidue(2, secure: true);
        var stripped = v2.WithEntries(v2.Entries.Select(e => e with { DeltaTotalAgainstCoordinator = null })).Resealed(signer2);
        var (v1, signer1) = TestLedger.Build(2);
        var stray = v1.WithEntries(v1.Entries.Select(e => e with { SamplerTvDistance = 0.0, DeltaTotal = TestLedger.Delta })).Resealed(signer1);

        Assert.Equal(2, LedgerVerifierTests.Verify(stripped, signer2.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch).Count());
        Assert.Equal(2, LedgerVerifierTests.Verify(stray, signer1.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch).Count());
    }

    [Theory]
    [InlineData(-1e-9, 1e-5)]
    [InlineData(double.NaN, 1e-5)]
    [InlineData(1e-9, 5e-6)] // below δ: paying for an error cannot lower δ
    [InlineData(1e-9, 1.5)]
    public void Seal_RefusesAMalformedResidue(double distance, double deltaTotal)
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(1, secure: false);
        var bad = document.Entries[0] with { SamplerTvDistance = distance, DeltaTotal = deltaTotal };

        Assert.Throws<ArgumentException>(() => signer.Seal(document.Header, bad, LedgerChain.NextPreviousHash(document.Header)));
    }

    [Fact]
    public void Version2Header_EncodesItsVersion_AndAVersion1HeaderIsUnchanged()
    {
        var (v2, _) = TestLedger.BuildWithSamplerResidue(1, secure: false);
        var (v1, _) = TestLedger.Build(1);

        Assert.Contains("\"neighbouring_relation\":\"zero-out\",\"accounting_version\":2,", System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(v2.Header)), StringComparison.Ordinal);
        Assert.DoesNotContain("accounting_version", System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(v1.Header)), StringComparison.Ordinal);
        Assert.Contains("\"epsilon_pld\":", System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(v2.Entries[0])), StringComparison.Ordinal);
        Assert.Contains(",\"sampler_tv_distance\":1E-09,\"delta_total\":", System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(v2.Entries[0])), StringComparison.Ordinal);
    }

    [Fact]
    public void Json_Version2Ledger_RoundTripsAndStillVerifies()
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(2, secure: true);

        var read = LedgerJson.Deserialize(LedgerJson.Serialize(document));

        Assert.Equal(LedgerAccountingVersions.SamplerResidueInDelta, read.Header.AccountingVersion);
        Assert.Equal(document.Entries[1].DeltaTotalAgainstCoordinator, read.Entries[1].DeltaTotalAgainstCoordinator);
        Assert.True(LedgerVerifierTests.Verify(read, signer.PublicKey).IsValid);
        _ = SamplerResidue.TotalDelta(TestLedger.Delta, 1, 0);
    }

    [Fact]
    public void Version2Header_WithAnExampleLevel_DeclaresTheCalibrationAttempts_AndAVersion1HeaderMayNot()
    {
        using var signer = LedgerSigner.Create();
        var declared = TestLedger.ExampleLevel with { CalibrationAttempts = 38 };

        var header = signer.CreateHeader("s", TestLedger.Start, null, null, null, declared, accountingVersion: LedgerAccountingVersions.Current);

        Assert.Contains("\"example_expected_batch_size\":256,\"example_calibration_attempts\":38,",
            System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(header)), StringComparison.Ordinal);
        Assert.Contains("\"calibration_attempts\": 38", LedgerJson.Serialize(new LedgerDocument(header, [], [])), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => signer.CreateHeader("s", TestLedger.Start, null, null, null, TestLedger.ExampleLevel,
            accountingVersion: LedgerAccountingVersions.Current));
        Assert.Throws<ArgumentException>(() => signer.CreateHeader("s", TestLedger.Start, null, null, null, declared));
        Assert.Throws<ArgumentException>(() => signer.CreateHeader("s", TestLedger.Start, null, null, null, declared with { CalibrationAttempts = 3 },
            accountingVersion: LedgerAccountingVersions.Current));
    }
}
