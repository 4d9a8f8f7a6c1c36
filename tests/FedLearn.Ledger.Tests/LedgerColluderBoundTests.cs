using FedLearn.Privacy;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// Accounting version 6 (review-10 S2): a secure entry credits the noise of s_min − c(n) survivors, c(n) the colluders a
/// cohort of n may hold when the fraction ρ of the population colludes, records c(n) and δ_c, and both delta_totals add
/// Σ δ_c. The verifier re-derives c(n) from n, ρ and δ_c; versions 3 and 4 keep their per-cohort ⌊ρ·n⌋.
/// </summary>
public sealed class LedgerColluderBoundTests
{
    private const int Cohort = 50, Dimension = 1000, MinimumSurvivors = 45, Threshold = 25;

    /// <summary>
    /// A version-6 ledger of <paramref name="count"/> secure rounds over a cohort of 50 (ρ = 0.05: c(50) = 19 colluders, so
    /// 45 − 19 = 26 certainly honest shares carry σ = 1.1), every figure derived independently of the coordinator's code
    /// path: ε composes the σ at q = 1, delta_total = δ + (1 + e^ε)·Σ η + Σ δ_c.
    /// </summary>
    internal static (LedgerDocument Document, LedgerSigner Signer) BuildVersion6(int count)
    {
        var colluders = ColluderBound.Colluders(Cohort, DistributedNoiseGuarantee.AssumedCorruptionRate);
        var encoding = new EncodingParameters(Dimension, 1.0, 1.0 / 4096, TestLedger.NoiseMultiplier, MinimumSurvivors, Cohort, AssumedColluders: colluders);
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, 50, TestLedger.Delta, "rdp",
            againstCoordinator: LedgerAdversaries.CoordinatorRecorded, accountingVersion: LedgerAccountingVersions.ColluderBoundInDelta);
        var sigma = encoding.EffectiveNoiseMultiplier();
        var eta = encoding.NoiseStatisticalDistance(Cohort);
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < count; i++)
        {
            var round = 10 + (2 * i);
            var steps = new[] { new SubsampledGaussianStep(1.0, sigma, i + 1) };
            var (rdp, pld) = (MemoizingAccountant.Shared.Rdp.GetEpsilon(steps, TestLedger.Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(steps, TestLedger.Delta));
            var deltaTotal = SamplerResidue.TotalDelta(TestLedger.Delta, Math.Max(rdp, pld), eta * (i + 1)) + (ColluderBound.FailureProbability * (i + 1));
            var unsealed = TestLedger.Unsealed(i + 1, round, TestLedger.ModelSha(round), rdp, pld) with
            {
                SamplingRate = 0.5, Mechanism = LedgerMechanisms.DistributedDiscreteGaussian, NoiseMultiplier = sigma,
                Sensitivity = encoding.EffectiveSensitivity(), ParticipantsSelected = Cohort, ParticipantsAggregated = 48,
                EpsilonAgainstCoordinatorRdp = rdp, EpsilonAgainstCoordinatorPld = pld, SamplerTvDistance = eta, DeltaTotal = deltaTotal,
                DeltaTotalAgainstCoordinator = deltaTotal, Dimension = Dimension, GridScale = encoding.Gamma,
                IntegerNoiseVariance = (long)encoding.GridNoiseVariance, PaddedDimension = encoding.PaddedDimension, ShamirThreshold = Threshold,
                MinimumSurvivors = MinimumSurvivors, DropoutAllowance = 0.1, CorruptionRate = DistributedNoiseGuarantee.AssumedCorruptionRate,
                AssumedColluders = colluders, ColluderTailProbability = ColluderBound.FailureProbability,
            };
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }

    [Fact]
    public void Verify_Version6SecureLedger_DerivesTheColluderBoundAndItsDelta()
    {
        var (document, signer) = BuildVersion6(3);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Equal(19, document.Entries[0].AssumedColluders);
        // Σ δ_c is in both delta_totals: three attempts add 3·2⁻⁴⁰ beyond the samplers' residue.
        Assert.Equal(document.Entries[^1].DeltaTotal!.Value, report.RecomputedFinalDeltaTotal!.Value, 1e-18);
        Assert.True(report.RecomputedFinalDeltaTotal > TestLedger.Delta + (3 * ColluderBound.FailureProbability) * (1 - 1e-9));
    }

    /// <summary>An entry whose colluder bound was changed and re-signed (a coordinator that rewrote it, or a bug).</summary>
    internal static LedgerDocument Tampered(string member, out LedgerSigner signer)
    {
        (var document, signer) = BuildVersion6(3);
        var entry = document.Entries[1];
        var changed = member switch
        {
            // Fewer colluders than ρ and δ_c give: the noise would be credited to colluders.
            "assumed_colluders" => entry with { AssumedColluders = 5 },
            // A larger δ_c gives a smaller c(n): the recorded 19 no longer follows, and delta_total did not pay for it.
            "colluder_tail_probability" => entry with { ColluderTailProbability = 1e-3 },
            "corruption_rate" => entry with { CorruptionRate = 0.01 },
            // A δ_c of 10⁻⁶ (with its smaller c(n)) that the recorded delta_total does not pay for. (2⁻⁴⁰ alone is below the
            // verifier's relative tolerance 10⁻⁶ at δ = 10⁻⁵ until about ten attempts.)
            "delta_total" => entry with
            {
                ColluderTailProbability = 1e-6, AssumedColluders = ColluderBound.Colluders(Cohort, DistributedNoiseGuarantee.AssumedCorruptionRate, 1e-6),
            },
            // σ credited to the old per-cohort ⌊ρ·n⌋ = 2 colluders.
            "noise_multiplier" => entry with { NoiseMultiplier = entry.NoiseMultiplier!.Value * Math.Sqrt(43.0 / 26) },
            "missing" => entry with { AssumedColluders = null, ColluderTailProbability = null },
            _ => throw new ArgumentException(member, nameof(member)),
        };
        return document.Replace(1, changed).Resealed(signer);
    }

    [Theory]
    [InlineData("assumed_colluders", LedgerDiscrepancyKinds.AssumedColludersMismatch)]
    [InlineData("colluder_tail_probability", LedgerDiscrepancyKinds.AssumedColludersMismatch)]
    [InlineData("colluder_tail_probability", LedgerDiscrepancyKinds.DeltaTotalUnderReported)]
    [InlineData("corruption_rate", LedgerDiscrepancyKinds.AssumedColludersMismatch)]
    [InlineData("corruption_rate", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData("delta_total", LedgerDiscrepancyKinds.DeltaTotalUnderReported)]
    [InlineData("noise_multiplier", LedgerDiscrepancyKinds.NoiseMultiplierMismatch)]
    [InlineData("missing", LedgerDiscrepancyKinds.LevelMismatch)]
    public void Verify_ResignedEntryWithATamperedColluderBound_IsCaught(string member, string kind)
    {
        var tampered = Tampered(member, out var signer);

        var report = LedgerVerifierTests.Verify(tampered, signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == kind && d.Sequence == 2);
    }

    [Fact]
    public void Verify_ColluderBoundInAVersion5Ledger_IsALevelMismatch()
    {
        var (v4, signer) = LedgerReleaseConsumersTests.BuildVersion4(2, secure: true);
        var edited = v4.Replace(1, v4.Entries[1] with { AssumedColluders = 2, ColluderTailProbability = ColluderBound.FailureProbability }).Resealed(signer);

        var report = LedgerVerifierTests.Verify(edited, signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == LedgerDiscrepancyKinds.LevelMismatch && d.Sequence == 2);
    }

    [Fact]
    public void Verify_Version4Ledger_KeepsThePerCohortRule()
    {
        // Sealed with 45 − ⌊0.05·50⌋ = 43 honest shares: still verifies as it was sealed.
        var (v4, signer) = LedgerReleaseConsumersTests.BuildVersion4(2, secure: true);

        Assert.True(LedgerVerifierTests.Verify(v4, signer.PublicKey).IsValid);
    }

    [Fact]
    public void Csv_AndJson_CarryTheColluderBound()
    {
        var (document, signer) = BuildVersion6(1);

        var csv = LedgerCsv.Write(document.Entries);
        var roundTripped = LedgerJson.Deserialize(LedgerJson.Serialize(document));

        Assert.Contains("assumed_colluders,colluder_tail_probability", csv, StringComparison.Ordinal);
        Assert.Equal((19, ColluderBound.FailureProbability), (roundTripped.Entries[0].AssumedColluders, roundTripped.Entries[0].ColluderTailProbability!.Value));
        Assert.True(LedgerVerifierTests.Verify(roundTripped, signer.PublicKey).IsValid);
    }
}
