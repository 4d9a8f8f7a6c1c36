using RobustnessDefinition = FedLearn.Coordinator.Grains.RobustnessDefinition;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;

namespace FedLearn.IntegrationTests;

/// <summary>
/// An enrolled but hostile participant next to three honest ones, over the real coordinator, gRPC and PostgreSQL: every
/// probe of issue 10 is refused with a clear status, nothing is left stuck, and the session ends with an unpoisoned model.
/// </summary>
public sealed class HostileParticipantTests : IAsyncLifetime
{
    private const string Mallory = "mallory";
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 3, examplesEach: 300, idPrefix: "honest");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task DefaultLimits_EveryProbeRefused_SessionCompletesUnpoisoned()
    {
        // After its probes mallory uploads a harmless zero update, so every round closes as soon as everyone reported.
        await using var mallory = new HostileParticipant(_federation.Coordinator.ParticipantClient(Mallory), Mallory, task => (new float[task.ParameterCount], 300));
        var final = await RunSessionAsync(robustness: null);

        Assert.Equal(SessionState.Completed, final.State);
        var outcomes = mallory.Outcomes.ToArray();
        Assert.Equal(3, mallory.RoundsPlayed);
        Assert.All(outcomes.Where(o => o.StartsWith("num_examples", StringComparison.Ordinal)),
            o => Assert.Contains("refused: num_examples", o, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.StartsWith("update -1e30", StringComparison.Ordinal)),
            o => Assert.Contains("refused: the update's L2 norm", o, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.StartsWith("metrics loss", StringComparison.Ordinal)),
            o => Assert.Contains("InvalidArgument: train_loss", o, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.StartsWith("metrics num_examples", StringComparison.Ordinal)),
            o => Assert.Contains("refused: num_examples", o, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.StartsWith("client_version", StringComparison.Ordinal)),
            o => Assert.Contains("InvalidArgument", o, StringComparison.Ordinal));
        Assert.All(outcomes.Where(o => o.StartsWith("final update", StringComparison.Ordinal)), o => Assert.EndsWith("accepted", o, StringComparison.Ordinal));
        Assert.Equal(3 * 7, outcomes.Length);
        await AssertUnpoisonedAsync(final);
    }

    [Fact]
    public async Task MedianAggregation_WorstUpdateTheLimitsAllow_SessionCompletesUnpoisoned()
    {
        // Within every limit: norm just under B, the largest example count a participant may claim, every round.
        var robustness = new RobustnessConfig { Aggregation = "median" };
        await using var mallory = new HostileParticipant(_federation.Coordinator.ParticipantClient(Mallory), Mallory, task =>
        {
            var value = (float)(-0.99 * RobustnessDefinition.DefaultMaxUpdateNorm / Math.Sqrt(task.ParameterCount));
            return ([.. Enumerable.Repeat(value, (int)task.ParameterCount)], RobustnessDefinition.DefaultMaxExamplesPerParticipant);
        });
        var final = await RunSessionAsync(robustness);

        Assert.Equal(SessionState.Completed, final.State);
        Assert.All(mallory.Outcomes.Where(o => o.StartsWith("final update", StringComparison.Ordinal)), o => Assert.EndsWith("accepted", o, StringComparison.Ordinal));
        await AssertUnpoisonedAsync(final);
    }

    [Fact]
    public async Task SecureRound_KeyAdvertisementWithKeysThatAreNotKeys_RefusedAndTheHonestParticipantsCommit()
    {
        await using var mallory = new HostileParticipant(_federation.Coordinator.ParticipantClient(Mallory), Mallory, task => (new float[task.ParameterCount], 1));
        var admin = _federation.Coordinator.Admin;
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);
        // 20 s rounds: the key stage waits for mallory's valid advertisement until 15% of it, then goes on without it.
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 4, min: 2, deadlineSeconds: 20);
        // ρ = 0: a cohort this small cannot open beside 5% colluders of the population (c(n) ≥ its threshold).
        config.Privacy = new PrivacyConfig { EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1, SamplingRate = 1.0, ColluderFraction = 0 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(90));

        var outcome = Assert.Single(mallory.Outcomes);
        Assert.Contains("FailedPrecondition", outcome, StringComparison.Ordinal);
        Assert.Contains("invalid cipher key", outcome, StringComparison.Ordinal);
        Assert.Equal(SessionState.Completed, final.State);
        var round = await admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 1 }, cancellationToken: Ct);
        Assert.Equal(("committed", 1, 4, 3), (round.Outcome, round.Attempt, round.ParticipantsSelected, round.ParticipantsAggregated));
    }

    private async Task<SessionStatus> RunSessionAsync(RobustnessConfig? robustness)
    {
        var admin = _federation.Coordinator.Admin;
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 4, min: 3, deadlineSeconds: 60);
        config.Robustness = robustness;
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        return await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(180));
    }

    /// <summary>Every round committed at its first attempt with all four updates; the model and the published loss are the honest ones'.</summary>
    private async Task AssertUnpoisonedAsync(SessionStatus final)
    {
        var admin = _federation.Coordinator.Admin;
        for (var round = 1; round <= 3; round++)
        {
            var details = await admin.GetRoundAsync(new GetRoundRequest { SessionId = final.SessionId, Round = round }, cancellationToken: Ct);
            Assert.Equal(("committed", 1, 4), (details.Outcome, details.Attempt, details.ParticipantsAggregated));
        }
        Assert.True(final.LastRound.TestAccuracy > 0.8, $"test accuracy after 3 rounds: {final.LastRound.TestAccuracy}");
        Assert.True(double.IsFinite(final.LastRound.TrainLoss) && final.LastRound.TrainLoss < 10, $"published train loss {final.LastRound.TrainLoss}");
    }
}
