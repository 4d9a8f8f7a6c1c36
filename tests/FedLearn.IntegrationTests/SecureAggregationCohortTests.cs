using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.IntegrationTests;

/// <summary>A secure session waits for three participants instead of burning attempts on cohorts too small to be secure.</summary>
public sealed class SecureAggregationCohortTests : IAsyncLifetime
{
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 2, examplesEach: 50, idPrefix: "pair");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task SecureSession_TwoParticipantsConnected_WaitsForAThirdAndAbortsNothing()
    {
        var admin = _federation.Coordinator.Admin;
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 2, min: 1, deadlineSeconds: 10);
        // ρ = 0: a cohort this small cannot open beside 5% colluders of the population (c(n) ≥ its threshold).
        config.Privacy = new PrivacyConfig { EpsilonBudget = 10, Delta = 1e-5, NoiseMultiplier = 1, ClipNorm = 1, SamplingRate = 1, ColluderFraction = 0 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        SessionStatus status;
        do
        {
            await Task.Delay(200, timeout.Token);
            status = await admin.GetSessionStatusAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: timeout.Token);
        }
        while (!status.Message.StartsWith("Waiting for participants: 2 connected, at least 3 needed", StringComparison.Ordinal));
        // Several ticks later it is still waiting, and no attempt of round 1 was opened or recorded as aborted.
        await Task.Delay(TimeSpan.FromSeconds(3), Ct);
        status = await admin.GetSessionStatusAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        Assert.Equal((SessionState.Running, 0, 0), (status.State, status.CurrentRound, status.CurrentAttempt));
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 1 }, cancellationToken: Ct).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, error.StatusCode);
    }
}
