using FedLearn.Privacy;
using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// Accounting version 5: a session with adaptive clipping (Andrew et al. 2021) records each round's clip norm, the released
/// noisy count and the parameters, and both verifiers re-derive every C from the entry before it and the joint σ from the
/// sum's and the count's noise, so neither can be recorded as something the released values do not give.
/// </summary>
public sealed class LedgerAdaptiveClippingTests
{
    private const double Target = 0.5;
    private const double Rate = 0.2;
    private const double BitNoise = 2.0;
    private const int Dimension = 1000;

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Verify_AdaptiveLedger_DerivesEveryClipNormAndTheJointSigma_InCSharpAndPython(bool secure)
    {
        var (document, signer) = Build(4, secure: secure, emptyRounds: 2);

        var report = LedgerVerifierTests.Verify(document, signer.PublicKey);
        var (exitCode, output) = await PythonAuditorTests.AuditAsync(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("; ", report.Discrepancies.Select(d => d.Message)));
        Assert.Equal(LedgerAccountingVersions.AdaptiveClippingRecorded, report.AccountingVersion);
        Assert.True(exitCode == 0, output);
        // The empty step (index 2) released no count, so the clip norm after it is the one it ran with.
        Assert.Equal(document.Entries[2].ClipNorm, document.Entries[3].ClipNorm);
        Assert.NotEqual(document.Entries[0].ClipNorm, document.Entries[1].ClipNorm);
    }

    [Theory]
    [InlineData("clip_norm", LedgerDiscrepancyKinds.ClipNormMismatch, false)]
    [InlineData("noisy_unclipped_count", LedgerDiscrepancyKinds.ClipNormMismatch, false)]
    [InlineData("clip_learning_rate", LedgerDiscrepancyKinds.ClipNormMismatch, false)]
    [InlineData("report_noise_variance", LedgerDiscrepancyKinds.NoiseMultiplierMismatch, false)]
    [InlineData("bit_noise_stddev", LedgerDiscrepancyKinds.NoiseMultiplierMismatch, false)]
    [InlineData("noise_multiplier", LedgerDiscrepancyKinds.NoiseMultiplierMismatch, false)]
    [InlineData("clip_norm", LedgerDiscrepancyKinds.ClipNormMismatch, true)]
    [InlineData("report_noise_variance", LedgerDiscrepancyKinds.NoiseMultiplierMismatch, true)]
    [InlineData("bit_noise_stddev", LedgerDiscrepancyKinds.ClipNormMismatch, true)] // the share variance stays at its floor of 8
    [InlineData("noise_multiplier", LedgerDiscrepancyKinds.NoiseMultiplierMismatch, true)]
    public async Task Verify_ResignedEntryThatDoesNotFollowTheReleasedCount_IsNamed_InCSharpAndPython(string member, string kind, bool secure)
    {
        var (document, signer) = Build(4, secure: secure);
        var e = document.Entries[1];
        var changed = member switch
        {
            "clip_norm" => e with { ClipNorm = e.ClipNorm * 1.5 },
            // The count of entry 2 sets entry 3's clip norm: a changed count no longer gives it.
            "noisy_unclipped_count" => e with { NoisyUnclippedCount = e.NoisyUnclippedCount - 10 },
            "clip_learning_rate" => e with { ClipLearningRate = 0.4 },
            "report_noise_variance" => e with { ReportNoiseVariance = secure ? 9 : 1 },
            "bit_noise_stddev" => e with { BitNoiseStddev = 0.2 },
            // More noise than the sum (z_Δ) and the count (2σ_b) carry together: the ledger would understate ε.
            _ => e with { NoiseMultiplier = e.NoiseMultiplier * 1.01 },
        };
        var tampered = document.Replace(1, changed).Resealed(signer);

        var report = LedgerVerifierTests.Verify(tampered, signer.PublicKey);
        var (exitCode, output) = await PythonAuditorTests.AuditAsync(tampered, signer.PublicKey);

        var sequence = member is "noisy_unclipped_count" ? 3 : 2;
        Assert.Contains(report.Discrepancies, d => d.Kind == kind && d.Sequence == sequence);
        Assert.Equal(6, exitCode);
        Assert.Contains((kind, (long)sequence), PythonAuditorTests.Problems(output));
    }

    [Fact]
    public void Verify_AdaptiveMembersInAVersion4Ledger_OrACountWithoutARelease_AreLevelMismatches()
    {
        var (document, signer) = Build(2, accountingVersion: LedgerAccountingVersions.ReleaseConsumersUnamplified);
        var (current, currentSigner) = Build(2);
        var countless = current.Replace(1, current.Entries[1] with { NoisyUnclippedCount = null }).Resealed(currentSigner);

        Assert.Equal(2, LedgerVerifierTests.Verify(document, signer.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch).Count());
        Assert.Single(LedgerVerifierTests.Verify(countless, currentSigner.PublicKey).OfKind(LedgerDiscrepancyKinds.LevelMismatch));
    }

    /// <summary>
    /// A central-noise ledger with adaptive clipping as the coordinator writes it: σ = 1.1 charged per round (q = 1), the sum
    /// noised at z_Δ = (σ⁻² − (2σ_b)⁻²)^(−1/2) on the grid of each round's C, the count at ⌈(2σ_b)²⌉; C₁ = 1 and every later C
    /// from the previous entry's count (48 aggregated, 40 of them within C, plus noise). Entries in
    /// <paramref name="emptyRounds"/> aggregate nothing and release no count.
    /// </summary>
    /// <remarks>With <paramref name="secure"/>: a cohort of 50 (full SecAgg, t = 25, a = 0.1, ρ = 0.05, so s_min = 45 and
    /// 43 certainly honest shares) on the grid γ = C/4096, the update shares sized for z_Δ, the report shares
    /// max(8, ⌈(2σ_b)²/43⌉), and each entry charged the pair's joint σ (both figures at q = 1).</remarks>
    private static (LedgerDocument Document, LedgerSigner Signer) Build(int count, int accountingVersion = LedgerAccountingVersions.AdaptiveClippingRecorded,
        bool secure = false, params int[] emptyRounds)
    {
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, 50, TestLedger.Delta, "rdp",
            againstCoordinator: secure ? LedgerAdversaries.CoordinatorRecorded : LedgerAdversaries.CoordinatorTrusted, accountingVersion: accountingVersion);
        var sum = AdaptiveClipping.UpdateNoiseMultiplier(TestLedger.NoiseMultiplier, BitNoise);
        var entries = new List<LedgerEntry>();
        var sigmas = new List<double>();
        var (clip, distance) = (1.0, 0.0);
        for (var i = 0; i < count; i++)
        {
            var round = 10 + (2 * i);
            var empty = emptyRounds.Contains(i);
            // Version 5 credits 45 − ⌊0.05·50⌋ = 43 honest shares (the per-cohort bound before version 6).
            var encoding = new EncodingParameters(Dimension, clip, clip / 4096, sum, 45, 50, AssumedColluders: 2);
            var sigma = secure ? AdaptiveClipping.SecureJointNoiseMultiplier(encoding, BitNoise) : TestLedger.NoiseMultiplier;
            sigmas.Add(sigma);
            var eta = secure ? encoding.NoiseStatisticalDistance(50) : empty ? 0 : GridGaussianMechanism.StatisticalDistance(clip, sum, Dimension);
            distance += eta;
            var steps = sigmas.Select(s => new SubsampledGaussianStep(1.0, s)).ToArray();
            var (rdp, pld) = (MemoizingAccountant.Shared.Rdp.GetEpsilon(steps, TestLedger.Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(steps, TestLedger.Delta));
            double? released = empty ? null : 40 + (0.5 * i);
            var unsealed = TestLedger.Unsealed(i + 1, round, empty ? entries[^1].ModelSha256 : TestLedger.ModelSha(round), rdp, pld) with
            {
                NoiseMultiplier = sigma, ClipNorm = clip, Sensitivity = GridGaussianMechanism.ChargedSensitivity(clip, sum, Dimension), ParticipantsSelected = 50,
                ParticipantsAggregated = empty ? 0 : 48, SamplerTvDistance = eta, DeltaTotal = SamplerResidue.TotalDelta(TestLedger.Delta, Math.Max(rdp, pld), distance),
                Dimension = Dimension, GridScale = GridGaussianMechanism.Grid(clip, sum, Dimension),
                IntegerNoiseVariance = (long)GridGaussianMechanism.RequestedVariance(clip, sum, Dimension),
                ClipTargetQuantile = Target, ClipLearningRate = Rate, BitNoiseStddev = BitNoise,
                ReportNoiseVariance = AdaptiveClipping.CentralReportVariance(BitNoise), NoisyUnclippedCount = released,
            };
            if (secure)
            {
                unsealed = unsealed with
                {
                    Mechanism = LedgerMechanisms.DistributedDiscreteGaussian, Sensitivity = encoding.EffectiveSensitivity(), GridScale = encoding.Gamma,
                    IntegerNoiseVariance = (long)encoding.GridNoiseVariance, PaddedDimension = encoding.PaddedDimension, ShamirThreshold = 25,
                    MinimumSurvivors = 45, DropoutAllowance = 0.1, CorruptionRate = DistributedNoiseGuarantee.AssumedCorruptionRate,
                    ReportNoiseVariance = (long)AdaptiveClipping.SecureReportShareVariance(BitNoise, 43),
                    EpsilonAgainstCoordinatorRdp = rdp, EpsilonAgainstCoordinatorPld = pld,
                    DeltaTotalAgainstCoordinator = SamplerResidue.TotalDelta(TestLedger.Delta, Math.Max(rdp, pld), distance),
                };
            }

            entries.Add(signer.Seal(unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
            clip = AdaptiveClipping.NextClipNorm(clip, released, unsealed.ParticipantsAggregated, Target, Rate);
        }

        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }
}
