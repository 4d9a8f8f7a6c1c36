namespace FedLearn.Ledger.Tests;

/// <summary>
/// Accounting version 3: each participant-level entry records the inputs of its sensitivity, σ and sampler distance, and the
/// verifier re-derives those from them (docs/ledger.md, "Noise inputs"), so a coordinator cannot record a σ or an η its
/// round's parameters do not give, even when it signs what it records.
/// </summary>
public sealed class LedgerNoiseInputsTests
{
    // Pins the documented member order of the version-3 members (docs/ledger.md, "Canonical encoding").
    private const string GoldenVersion3Entry =
        "{\"type\":\"fedlearn-ledger/1/entry\",\"sequence\":1,\"session_id\":\"s-1\",\"round\":1," +
        "\"recorded_at\":\"2026-03-01T00:01:00.000Z\",\"mechanism\":\"distributed_discrete_gaussian\",\"sampling_rate\":0.1," +
        "\"noise_multiplier\":0.9,\"clip_norm\":1,\"sensitivity\":1.002,\"participants_selected\":3,\"participants_aggregated\":3," +
        "\"delta\":1E-05,\"epsilon_rdp\":0.75,\"epsilon_pld\":0.5,\"epsilon_against_coordinator_rdp\":12.5," +
        "\"epsilon_against_coordinator_pld\":9.25,\"sampler_tv_distance\":2.5E-15,\"delta_total\":1.0000000000005E-05," +
        "\"delta_total_against_coordinator\":1.0000678E-05,\"dimension\":1000,\"grid_scale\":0.000244140625," +
        "\"integer_noise_variance\":5592406,\"padded_dimension\":1024,\"shamir_threshold\":2,\"minimum_survivors\":3," +
        "\"dropout_allowance\":0.1,\"corruption_rate\":0.05,\"model_sha256\":\"" + Sha + "\",\"previous_hash\":\"" + Previous + "\"}";

    private const string Sha = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    private const string Previous = "ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100";

    [Fact]
    public void Encode_Version3Entry_MatchesGoldenBytes()
    {
        var midnight = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var entry = new LedgerEntry(1, "s-1", 1, midnight.AddMinutes(1), LedgerMechanisms.DistributedDiscreteGaussian, 0.1, 0.9, 1, 1.002,
            3, 3, 1e-5, 0.75, 0.5, Sha, Previous, "", "", EpsilonAgainstCoordinatorRdp: 12.5, EpsilonAgainstCoordinatorPld: 9.25,
            SamplerTvDistance: 2.5e-15, DeltaTotal: 1.0000000000005e-5, DeltaTotalAgainstCoordinator: 1.0000678e-5, Dimension: 1000,
            GridScale: 1.0 / 4096, IntegerNoiseVariance: 5592406, PaddedDimension: 1024, ShamirThreshold: 2, MinimumSurvivors: 3,
            DropoutAllowance: 0.1, CorruptionRate: 0.05);

        Assert.Equal(GoldenVersion3Entry, System.Text.Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(entry)));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Verify_Version3Ledger_DerivesEveryFigureFromItsInputs(bool secure)
    {
        var (document, signer) = TestLedger.BuildWithNoiseInputs(4, secure, 2);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("; ", report.Discrepancies.Select(d => d.Message)));
        Assert.Equal(LedgerAccountingVersions.NoiseInputsRecorded, report.AccountingVersion);
    }

    /// <summary>
    /// Every input, changed and signed again by the coordinator's own key (so chain, hashes and signatures hold), no longer
    /// gives the σ, sensitivity or η the entry records, and the verifier names the figure.
    /// </summary>
    [Theory]
    [InlineData(false, "dimension", LedgerDiscrepancyKinds.SensitivityMismatch)]
    [InlineData(false, "grid_scale", LedgerDiscrepancyKinds.SensitivityMismatch)]
    [InlineData(false, "integer_noise_variance", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(false, "integer_noise_variance_up", LedgerDiscrepancyKinds.SamplerTvDistanceMismatch)]
    [InlineData(true, "grid_scale", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "integer_noise_variance", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "padded_dimension", LedgerDiscrepancyKinds.SensitivityMismatch)]
    [InlineData(true, "padded_dimension", LedgerDiscrepancyKinds.SamplerTvDistanceMismatch)]
    [InlineData(true, "shamir_threshold", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "minimum_survivors", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "dropout_allowance", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "corruption_rate", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "participants_selected", LedgerDiscrepancyKinds.SamplerTvDistanceMismatch)]
    [InlineData(true, "participants_selected_up", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData(true, "sampler_tv_distance", LedgerDiscrepancyKinds.SamplerTvDistanceMismatch)]
    [InlineData(true, "noise_multiplier", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    public void Verify_ResignedEntryWithATamperedInput_IsCaught(bool secure, string input, string kind)
    {
        var tampered = Tampered(secure, input, out var signer);

        var report = LedgerVerifierTests.Verify(tampered, signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == kind && d.Sequence == 2);
        Assert.DoesNotContain(report.Discrepancies, d => d.Kind is LedgerDiscrepancyKinds.SignatureInvalid or LedgerDiscrepancyKinds.HashMismatch);
    }

    [Fact]
    public void Verify_Version3EntriesMissingOrMixingInputs_AreLevelMismatches_AndVersion2EntriesWithInputs_Too()
    {
        var (central, centralSigner) = TestLedger.BuildWithNoiseInputs(2, secure: false);
        var stripped = central.WithEntries(central.Entries.Select(e => e with { GridScale = null })).Resealed(centralSigner);
        var (secure, secureSigner) = TestLedger.BuildWithNoiseInputs(2, secure: true);
        // A secure entry without inputs claims it was a draw below the minimum, but says it aggregated updates.
        var unexplained = secure.WithEntries(secure.Entries.Select(e => e with
        {
            Dimension = null, GridScale = null, IntegerNoiseVariance = null, PaddedDimension = null, ShamirThreshold = null,
            MinimumSurvivors = null, DropoutAllowance = null, CorruptionRate = null,
        })).Resealed(secureSigner);
        var (v2, v2Signer) = TestLedger.BuildWithSamplerResidue(2, secure: false);
        var stray = v2.WithEntries(v2.Entries.Select(e => e with { Dimension = 1000, GridScale = 1.0 / 4096, IntegerNoiseVariance = 9 })).Resealed(v2Signer);

        Assert.Equal(2, LedgerVerifierTests.Verify(stripped, centralSigner.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch).Count());
        Assert.Equal(2, LedgerVerifierTests.Verify(unexplained, secureSigner.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch).Count());
        Assert.Equal(2, LedgerVerifierTests.Verify(stray, v2Signer.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch).Count());
    }

    [Fact]
    public void Verify_SecureDrawBelowTheMinimum_RecordsNoInputs_AndVerifies()
    {
        var (secure, signer) = TestLedger.BuildWithNoiseInputs(2, secure: true, 1);
        // The second draw was below the minimum cohort: no plan, nothing sent, η = 0, δ as before.
        var first = secure.Entries[0];
        var below = secure.Entries[1] with
        {
            Dimension = null, GridScale = null, IntegerNoiseVariance = null, PaddedDimension = null, ShamirThreshold = null,
            MinimumSurvivors = null, DropoutAllowance = null, CorruptionRate = null, ParticipantsSelected = 2, SamplerTvDistance = 0.0,
            DeltaTotal = Privacy.SamplerResidue.TotalDelta(TestLedger.Delta, Math.Max(secure.Entries[1].EpsilonRdp!.Value, secure.Entries[1].EpsilonPld!.Value), first.SamplerTvDistance!.Value),
            DeltaTotalAgainstCoordinator = Privacy.SamplerResidue.TotalDelta(TestLedger.Delta,
                Math.Max(secure.Entries[1].EpsilonAgainstCoordinatorRdp!.Value, secure.Entries[1].EpsilonAgainstCoordinatorPld!.Value), first.SamplerTvDistance!.Value),
        };

        var report = LedgerVerifierTests.Verify(secure.Replace(1, below).Resealed(signer), signer.PublicKey);

        Assert.True(report.IsValid, string.Join("; ", report.Discrepancies.Select(d => d.Message)));
    }

    [Theory]
    [InlineData(0L, 1.0 / 4096, 0.05)]
    [InlineData(9L, 0.0, 0.05)]
    [InlineData(9L, 1.0 / 4096, 1.0)]
    public void Seal_RefusesMalformedInputs(long variance, double gamma, double rho)
    {
        var (document, signer) = TestLedger.BuildWithNoiseInputs(1, secure: true);
        var bad = document.Entries[0] with { IntegerNoiseVariance = variance, GridScale = gamma, CorruptionRate = rho };

        Assert.Throws<ArgumentException>(() => signer.Seal(document.Header, bad, LedgerChain.NextPreviousHash(document.Header)));
    }

    [Fact]
    public void Json_Version3Ledger_RoundTripsAndStillVerifies()
    {
        var (document, signer) = TestLedger.BuildWithNoiseInputs(2, secure: true);

        var read = LedgerJson.Deserialize(LedgerJson.Serialize(document));

        Assert.Equal(document.Entries[1], read.Entries[1]);
        Assert.True(LedgerVerifierTests.Verify(read, signer.PublicKey).IsValid);
        Assert.Contains("\"minimum_survivors\": 45", LedgerJson.Serialize(document), StringComparison.Ordinal);
    }

    /// <summary>
    /// The ledger of <see cref="TestLedger.BuildWithNoiseInputs"/> with one input of entry 2 changed and every entry sealed
    /// again by its signer.
    /// </summary>
    internal static LedgerDocument Tampered(bool secure, string input, out LedgerSigner signer)
    {
        (var document, signer) = TestLedger.BuildWithNoiseInputs(3, secure);
        var e = document.Entries[1];
        var changed = input switch
        {
            "dimension" => e with { Dimension = e.Dimension + 24 },
            "grid_scale" => e with { GridScale = e.GridScale * 2 },
            "integer_noise_variance" => e with { IntegerNoiseVariance = e.IntegerNoiseVariance / 2 },
            "integer_noise_variance_up" => e with { IntegerNoiseVariance = e.IntegerNoiseVariance * 3 },
            "padded_dimension" => e with { PaddedDimension = e.PaddedDimension * 2 },
            "shamir_threshold" => e with { ShamirThreshold = e.MinimumSurvivors + 1 },
            "minimum_survivors" => e with { MinimumSurvivors = e.MinimumSurvivors + 1 },
            "dropout_allowance" => e with { DropoutAllowance = 0.0 },
            "corruption_rate" => e with { CorruptionRate = 0.0 },
            "participants_selected" => e with { ParticipantsSelected = e.ParticipantsSelected - 1 },
            "participants_selected_up" => e with { ParticipantsSelected = e.ParticipantsSelected + 10 },
            "sampler_tv_distance" => e with { SamplerTvDistance = e.SamplerTvDistance / 2 },
            "noise_multiplier" => e with { NoiseMultiplier = e.NoiseMultiplier * 1.01 },
            _ => throw new ArgumentOutOfRangeException(nameof(input)),
        };
        return document.Replace(1, changed).Resealed(signer);
    }
}
