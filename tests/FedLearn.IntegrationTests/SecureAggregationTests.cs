using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.IntegrationTests;

/// <summary>
/// Secure aggregation with distributed noise over the real stack: a participant vanishes after each protocol stage and the
/// round still commits with the survivors' sum, the coordinator refuses plain updates, and the ledger records the
/// attempt's one charge, fixed when it opened, under the distributed mechanism and verifies.
/// </summary>
public sealed class SecureAggregationTests : IAsyncLifetime
{
    private const double NoiseMultiplier = 1.0;
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 3, examplesEach: 100, idPrefix: "honest");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task DefaultColluderFraction_CohortOfFourMayBeAllColluders_RoundCommitsUnchangedAndCharged_NothingSent()
    {
        // 5% of the population colluding (the default ρ): a cohort of 4 may hold c(4) = 4 colluders (review-10 S2), so no
        // Shamir threshold keeps them from an honest participant's secrets and no share's noise would certainly count. The
        // draw is a charged step that opens nothing; the model stays as it was.
        var admin = _federation.Coordinator.Admin;
        await using var vanishing = new VanishingSecureParticipant(_federation.Coordinator.Address, "fourth", VanishAfter.MaskedInput);
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 4, min: 2, deadlineSeconds: 20);
        config.Privacy = new PrivacyConfig { EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = NoiseMultiplier, ClipNorm = 1, SamplingRate = 1.0 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        Assert.Equal(0.05, created.Privacy.Parameters.ColluderFraction);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(90));

        Assert.Equal(SessionState.Completed, final.State);
        Assert.False(vanishing.Vanished.Task.IsCompleted); // it was never sent a task
        var round = await admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 1 }, cancellationToken: Ct);
        Assert.Equal(("committed", 4, 0), (round.Outcome, round.ParticipantsSelected, round.ParticipantsAggregated));
        var ledger = LedgerJson.Deserialize((await admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        var entry = Assert.Single(ledger.Entries);
        Assert.Equal((0, 0.0, NoiseMultiplier), (entry.ParticipantsAggregated, entry.SamplerTvDistance!.Value, entry.NoiseMultiplier!.Value));
        Assert.Null(entry.AssumedColluders); // no plan opened: no noise inputs
        Assert.True(entry.EpsilonAgainstCoordinatorRdp > 0); // charged all the same
        Assert.True(LedgerVerifier.Verify(ledger, created.LedgerPublicKey).IsValid);
    }

    [Theory]
    [InlineData(VanishAfter.AdvertiseKeys, 3)]
    [InlineData(VanishAfter.ShareKeys, 3)]
    [InlineData(VanishAfter.MaskedInput, 4)]
    public async Task ParticipantVanishesAfterStage_RoundCommitsWithTheSurvivorsSum_LedgerRecordsTheOpeningCharge(VanishAfter stage, int aggregated)
    {
        var admin = _federation.Coordinator.Admin;
        await using var vanishing = new VanishingSecureParticipant(_federation.Coordinator.Address, "vanishing", stage);
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);
        // 20 s rounds: the key stages close at 15% and 30% of it, which must hold on a loaded 2-core CI machine too.
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 4, min: 2, deadlineSeconds: 20);
        // ρ = 0: a cohort this small cannot open beside 5% colluders of the population (c(n) ≥ its threshold).
        config.Privacy = new PrivacyConfig { EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = NoiseMultiplier, ClipNorm = 1, SamplingRate = 1.0, ColluderFraction = 0 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        Assert.True(created.Privacy.Parameters.SecureAggregation);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(90));

        Assert.True(vanishing.Vanished.Task.IsCompleted);
        Assert.NotEqual(StatusCode.OK, vanishing.PlainUploadStatus);
        Assert.Equal(SessionState.Completed, final.State);
        var round = await admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 1 }, cancellationToken: Ct);
        Assert.Equal(("committed", 4, aggregated), (round.Outcome, round.ParticipantsSelected, round.ParticipantsAggregated));

        var json = (await admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json;
        var ledger = LedgerJson.Deserialize(json);
        var entry = Assert.Single(ledger.Entries);
        Assert.Equal(LedgerMechanisms.DistributedDiscreteGaussian, entry.Mechanism);
        Assert.Equal(aggregated, entry.ParticipantsAggregated);
        // 4 participants, t = 2, minimum 3: s_min = max(2, 3, 4 − ⌈0.1·4⌉) = 3, of whom all 3 are certainly honest at ρ = 0,
        // each adding σ²Δ₂²/3. The attempt was charged σ for them when it opened, and the ledger records that one charge
        // whether 3 or 4 survived (for release consumers and against the coordinator alike), over a sensitivity just above C.
        Assert.InRange(entry.NoiseMultiplier!.Value, NoiseMultiplier, NoiseMultiplier * 1.001);
        Assert.NotNull(entry.DeltaTotalAgainstCoordinator);
        Assert.True(entry.DeltaTotal >= entry.Delta);
        Assert.InRange(entry.Sensitivity!.Value, 1.0, 1.01);
        // Accounting version 3 and later: the entry names what its σ, sensitivity and η are derived from (the plan the cohort
        // opened with), and both verifiers, the C# one and the independent Python audit, re-derive them from it.
        Assert.True(ledger.Header.RecordsNoiseInputs);
        Assert.Equal((4, 2, 3, 0.1, 0.0), (entry.ParticipantsSelected, entry.ShamirThreshold, entry.MinimumSurvivors, entry.DropoutAllowance, entry.CorruptionRate));
        // Accounting version 6: the colluders assumed (none at ρ = 0) and δ_c = 2⁻⁴⁰, which delta_total pays.
        Assert.Equal(LedgerAccountingVersions.ColluderBoundInDelta, ledger.Header.AccountingVersion);
        Assert.Equal((0, Math.ScaleB(1.0, -40)), (entry.AssumedColluders, entry.ColluderTailProbability!.Value));
        Assert.True(entry.DeltaTotal >= entry.Delta + entry.ColluderTailProbability);
        Assert.True(entry.Dimension > SyntheticData.Features * SyntheticData.Classes);
        Assert.Equal((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)entry.Dimension!.Value), entry.PaddedDimension);
        Assert.True(entry.IntegerNoiseVariance >= 8);
        var report = LedgerVerifier.Verify(ledger, created.LedgerPublicKey);
        Assert.True(report.IsValid, string.Join(Environment.NewLine, report.Discrepancies));
        var export = Path.Combine(_federation.DataDirectory, $"ledger-{stage}.json");
        await File.WriteAllTextAsync(export, json, Ct);
        var audited = await BuiltTool.RunPythonScriptAsync("notebooks/ledger_audit.py", export, "--public-key", created.LedgerPublicKey);
        Assert.True(audited.ExitCode == 0, audited.Output);
    }
}
