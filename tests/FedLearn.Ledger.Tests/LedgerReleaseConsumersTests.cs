using FedLearn.Privacy;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// Accounting version 4 (review-10 S7): the release consumers' figures claim no amplification by sampling, because the
/// coordinator publishes each attempt's cohort size. Every entry's step is composed at q = 1 with its σ; earlier versions
/// keep the amplified figures they were sealed with.
/// </summary>
public sealed class LedgerReleaseConsumersTests
{
    /// <summary>
    /// A version-4 ledger built from the version-3 one of <see cref="TestLedger.BuildWithNoiseInputs"/> (q = 0.5, σ ≈ 1.1
    /// derived from its noise inputs, which version 4 records too):
    /// with <paramref name="claimAmplification"/> false its consumer figures are the q = 1 composition (what the coordinator
    /// records now); with true they keep the amplified ones, as a ledger that still claims amplification would.
    /// </summary>
    internal static (LedgerDocument Document, LedgerSigner Signer) BuildVersion4(int count, bool secure, bool claimAmplification = false)
    {
        var (v3, _) = TestLedger.BuildWithNoiseInputs(count, secure);
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, v3.Header.EpsilonBudget, TestLedger.Delta, v3.Header.Accountant,
            againstCoordinator: v3.Header.AgainstCoordinator, accountingVersion: LedgerAccountingVersions.ReleaseConsumersUnamplified);
        var entries = new List<LedgerEntry>();
        foreach (var old in v3.Entries)
        {
            var steps = new[] { new SubsampledGaussianStep(1.0, old.NoiseMultiplier!.Value, entries.Count + 1) };
            var (rdp, pld) = claimAmplification
                ? (old.EpsilonRdp!.Value, old.EpsilonPld!.Value)
                : (MemoizingAccountant.Shared.Rdp.GetEpsilon(steps, TestLedger.Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(steps, TestLedger.Delta));
            var distance = old.SamplerTvDistance!.Value * (entries.Count + 1);
            var unsealed = old with
            {
                EpsilonRdp = rdp, EpsilonPld = pld, DeltaTotal = SamplerResidue.TotalDelta(TestLedger.Delta, Math.Max(rdp, pld), distance),
            };
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        return (new LedgerDocument(header, entries, v3.Checkpoints), signer);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Version4_ReleaseConsumerFiguresComposedAtQ1_Verify_AndAreAboveTheAmplifiedOnes(bool secure)
    {
        var (v2, _) = TestLedger.BuildWithSamplerResidue(4, secure);
        var (v4, signer) = BuildVersion4(4, secure);

        var report = LedgerVerifierTests.Verify(v4, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies.Select(d => d.Message)));
        Assert.Equal(LedgerAccountingVersions.ReleaseConsumersUnamplified, report.AccountingVersion);
        Assert.False(v4.Header.ReleaseConsumersAmplified);
        for (var i = 0; i < v4.Entries.Count; i++)
        {
            Assert.True(v4.Entries[i].EpsilonRdp > v2.Entries[i].EpsilonRdp);
            Assert.True(v4.Entries[i].EpsilonPld > v2.Entries[i].EpsilonPld);
            if (secure)
            {
                // With secure aggregation the release consumers' figure is the worst case against the coordinator.
                Assert.Equal(v4.Entries[i].EpsilonAgainstCoordinatorRdp!.Value, v4.Entries[i].EpsilonRdp!.Value, 12);
                Assert.Equal(v4.Entries[i].EpsilonAgainstCoordinatorPld!.Value, v4.Entries[i].EpsilonPld!.Value, 12);
            }
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Version4_EntriesStillClaimingAmplification_AreNamedUnderReported_WhileTheSameFiguresUnderVersion2Verify(bool secure)
    {
        var (claiming, signer) = BuildVersion4(3, secure, claimAmplification: true);

        var report = LedgerVerifierTests.Verify(claiming, signer.PublicKey);

        Assert.False(report.IsValid);
        var flagged = report.Discrepancies.Where(d => d.Kind == LedgerDiscrepancyKinds.EpsilonUnderReported).ToList();
        Assert.Equal([1, 2, 3], flagged.Select(d => d.Sequence!.Value).Distinct().Order());
        Assert.Contains(flagged, d => d.Message.Contains("no amplification by sampling", StringComparison.Ordinal));
        // The δ recorded with the understated ε is under-reported too, but by (e^ε′ − e^ε)·Ση with the η its noise inputs give
        // (≈ 10⁻²⁵ here), far below the tolerance; LedgerSamplerResidueTests covers delta_total_under_reported.

        var (sealedAsVersion2, v2Signer) = TestLedger.BuildWithSamplerResidue(3, secure);
        Assert.True(LedgerVerifierTests.Verify(sealedAsVersion2, v2Signer.PublicKey).IsValid);
    }

    [Fact]
    public void Version4_BudgetIsCheckedAgainstTheUnamplifiedFigure()
    {
        // A budget the amplified figures fit in but the q = 1 composition exceeds.
        var (v4, _) = BuildVersion4(3, secure: true);
        var (v2, _) = TestLedger.BuildWithSamplerResidue(3, secure: true);
        var budget = (v2.Entries[^1].EpsilonRdp!.Value + v4.Entries[^1].EpsilonRdp!.Value) / 2;
        using var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, budget, TestLedger.Delta, "rdp",
            againstCoordinator: LedgerAdversaries.CoordinatorRecorded, accountingVersion: LedgerAccountingVersions.ReleaseConsumersUnamplified);
        var entries = new List<LedgerEntry>();
        foreach (var entry in v4.Entries)
        {
            entries.Add(signer.Seal(header, entry, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var report = LedgerVerifierTests.Verify(new LedgerDocument(header, entries, v4.Checkpoints), signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == LedgerDiscrepancyKinds.BudgetExceeded);
    }
}
