using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.IntegrationTests;

/// <summary>
/// Adaptive clipping (Andrew et al. 2021) over the real stack: participants report whether their update was within the
/// round's clip norm (with secure aggregation inside the masked input), the coordinator releases the noisy count with the
/// noisy sum, and the clip norm moves towards the target quantile, up from far below every update norm and down from far
/// above it. The ledger records each round's C, the released count and the parameters, and both verifiers re-derive every
/// C and the joint σ.
/// </summary>
public sealed class AdaptiveClippingTests : IAsyncLifetime
{
    private const double NoiseMultiplier = 1.0;
    private const double BitNoise = 1.0;
    private const double Target = 0.5;
    private const double Rate = 0.5;
    private const int Rounds = 4;

    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 10, examplesEach: 60, idPrefix: "ac");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Theory]
    [InlineData(1e-4, true, true)] // every update is clipped: C grows by exp(η_C·γ) per round
    [InlineData(1e4, false, true)] // every update is within C: C shrinks by exp(−η_C·(1 − γ)) per round
    [InlineData(1e-4, true, false)] // secure aggregation: the reports travel in the masked sum
    [InlineData(1e4, false, false)]
    public async Task Session_ClipNormFollowsTheReleasedCount_AndTheLedgerVerifies(double initialClipNorm, bool fromBelow, bool central)
    {
        var coordinator = _federation.Coordinator;
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: Rounds, perRound: 10, min: 2, deadlineSeconds: 20);
        config.Privacy = new PrivacyConfig
        {
            EpsilonBudget = 100, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = NoiseMultiplier, SamplingRate = 1.0, CentralNoise = central,
            AdaptiveClipping = new AdaptiveClippingConfig { TargetQuantile = Target, LearningRate = Rate, InitialClipNorm = initialClipNorm, BitNoiseStddev = BitNoise },
        };
        if (!central)
        {
            // A cohort of 10 cannot open beside 5% colluders of the population (the default ρ): this test trusts them all.
            config.Privacy.ColluderFraction = 0;
        }
        var created = await coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        var adaptive = created.Privacy.Parameters.AdaptiveClipping;
        Assert.Equal(initialClipNorm, created.Privacy.Parameters.ClipNorm);
        Assert.Equal(NoiseMultiplier, created.Privacy.Parameters.NoiseMultiplier);
        // The sum alone carries z_Δ = (σ⁻² − (2σ_b)⁻²)^(−1/2), so the pair carries σ (Andrew et al. 2021, §3).
        Assert.Equal(1 / Math.Sqrt(1 - 0.25), adaptive.UpdateNoiseMultiplier, 12);
        Assert.Equal(4UL, adaptive.ReportNoiseVariance);
        await coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(coordinator.Admin, created.SessionId, TimeSpan.FromSeconds(180));
        Assert.True(final.State == SessionState.Completed, final.Message);
        var ledger = LedgerJson.Deserialize((await coordinator.Admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        Assert.True(ledger.Header.RecordsAdaptiveClipping, $"accounting version {ledger.Header.AccountingVersion}");
        Assert.Equal(Rounds, ledger.Entries.Count);
        Assert.Equal(initialClipNorm, ledger.Entries[0].ClipNorm);
        Assert.All(ledger.Entries, e => Assert.Equal(central ? LedgerMechanisms.CentralGaussian : LedgerMechanisms.DistributedDiscreteGaussian, e.Mechanism));
        foreach (var (entry, next) in ledger.Entries.Zip(ledger.Entries.Skip(1)))
        {
            Assert.Equal(Target, entry.ClipTargetQuantile);
            Assert.Equal(BitNoise, entry.BitNoiseStddev);
            var count = Assert.NotNull(entry.NoisyUnclippedCount);
            var truth = fromBelow ? 0 : entry.ParticipantsAggregated;
            Assert.Equal(AdaptiveClipping.NextClipNorm(entry.ClipNorm!.Value, count, entry.ParticipantsAggregated, Target, Rate), next.ClipNorm!.Value, 12);
            if (central)
            {
                // The count's noise has std σ_b = 1 over 10 updates: it cannot hide that all of them were clipped, or none.
                Assert.Equal(NoiseMultiplier, entry.NoiseMultiplier);
                Assert.InRange(count - truth, -5, 5);
                Assert.True(fromBelow ? next.ClipNorm > entry.ClipNorm : next.ClipNorm < entry.ClipNorm, $"round {next.Round}: C went from {entry.ClipNorm} to {next.ClipNorm}");
            }
            else
            {
                // Each of the s survivors adds a share of variance 8 (the floor) to Σr, std √(8s)/2 on the count: ten of those
                // would be a decoding error, not noise (the direction of C is left to the central case, where σ_b is smaller).
                Assert.InRange(count - truth, -5 * Math.Sqrt(8.0 * entry.ParticipantsAggregated), 5 * Math.Sqrt(8.0 * entry.ParticipantsAggregated));
                Assert.Equal(8, entry.ReportNoiseVariance);
                Assert.True(entry.NoiseMultiplier >= NoiseMultiplier * 0.99, $"σ {entry.NoiseMultiplier}");
            }
        }
        // The status shows the clip norm the next round would use.
        var last = ledger.Entries[^1];
        Assert.Equal(AdaptiveClipping.NextClipNorm(last.ClipNorm!.Value, last.NoisyUnclippedCount, last.ParticipantsAggregated, Target, Rate),
            final.Privacy.Parameters.ClipNorm, 12);

        // The auditor's CLI and the independent Python auditor verify the export; an edited clip norm is named.
        var export = Path.Combine(_federation.DataDirectory, $"adaptive-{fromBelow}.json");
        await File.WriteAllTextAsync(export, LedgerJson.Serialize(ledger), Ct);
        var verified = await BuiltTool.RunCliAsync("ledger", "verify", "--file", export, "--public-key", created.LedgerPublicKey);
        Assert.True(verified.ExitCode == 0, verified.Output);
        var audited = await BuiltTool.RunPythonScriptAsync("notebooks/ledger_audit.py", export, "--public-key", created.LedgerPublicKey);
        Assert.True(audited.ExitCode == 0, audited.Output);
        using var forger = LedgerSigner.Create();
        var second = ledger.Entries[1];
        var moved = ledger with
        {
            Header = ledger.Header with { PublicKey = forger.PublicKey },
            Entries = Reseal(forger, ledger.Header with { PublicKey = forger.PublicKey }, [ledger.Entries[0], second with { ClipNorm = second.ClipNorm * 2 }, .. ledger.Entries.Skip(2)]),
        };
        await File.WriteAllTextAsync(export, LedgerJson.Serialize(moved), Ct);
        var caught = await BuiltTool.RunCliAsync("ledger", "verify", "--file", export);
        Assert.Equal(6, caught.ExitCode);
        Assert.Contains(LedgerDiscrepancyKinds.ClipNormMismatch, caught.Output, StringComparison.Ordinal);
        var caughtByPython = await BuiltTool.RunPythonScriptAsync("notebooks/ledger_audit.py", export);
        Assert.Equal(6, caughtByPython.ExitCode);
        Assert.Contains("[clip_norm_mismatch]", caughtByPython.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdaptiveClipping_BadConfigurations_AreRefusedNamingTheField()
    {
        async Task<string> Refusal(Action<PrivacyConfig> edit)
        {
            var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 2, perRound: 10, min: 2, deadlineSeconds: 20);
            config.Privacy = new PrivacyConfig
            {
                EpsilonBudget = 10, Delta = 1e-5, NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 1.0, CentralNoise = true,
                AdaptiveClipping = new AdaptiveClippingConfig { TargetQuantile = 0.5, LearningRate = 0.2, BitNoiseStddev = 5 },
            };
            edit(config.Privacy);
            var error = await Assert.ThrowsAsync<RpcException>(async () =>
                await _federation.Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct));
            Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
            return error.Status.Detail;
        }

        Assert.Contains("privacy.adaptive_clipping.target_quantile", await Refusal(p => p.AdaptiveClipping.TargetQuantile = double.NaN), StringComparison.Ordinal);
        Assert.Contains("privacy.adaptive_clipping.learning_rate", await Refusal(p => p.AdaptiveClipping.LearningRate = 0), StringComparison.Ordinal);
        Assert.Contains("privacy.adaptive_clipping.bit_noise_stddev", await Refusal(p => p.AdaptiveClipping.BitNoiseStddev = 0.4), StringComparison.Ordinal);
        Assert.Contains("privacy.adaptive_clipping.initial_clip_norm", await Refusal(p => p.AdaptiveClipping.InitialClipNorm = 2), StringComparison.Ordinal);
        // A calibrated σ above 2σ_b leaves the sum no budget: refused at creation, not at the first round.
        Assert.Contains("bit_noise_stddev", await Refusal(p => (p.NoiseMultiplier, p.EpsilonBudget, p.AdaptiveClipping.BitNoiseStddev) = (0, 0.5, 0.6)),
            StringComparison.Ordinal);
    }

    /// <summary>Re-seals <paramref name="entries"/> in order under <paramref name="signer"/>, as a coordinator with that key would.</summary>
    private static List<LedgerEntry> Reseal(LedgerSigner signer, LedgerHeader header, IReadOnlyList<LedgerEntry> entries)
    {
        var sealedEntries = new List<LedgerEntry>();
        foreach (var entry in entries)
        {
            var previous = LedgerChain.NextPreviousHash(header, sealedEntries.Count == 0 ? null : sealedEntries[^1]);
            sealedEntries.Add(signer.Seal(header, entry with { PreviousHash = "", EntryHash = "", Signature = "" }, previous));
        }
        return sealedEntries;
    }
}
