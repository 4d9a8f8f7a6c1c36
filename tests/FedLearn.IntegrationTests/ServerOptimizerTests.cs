using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using FedLearn.Training;
using Grpc.Core;

namespace FedLearn.IntegrationTests;

/// <summary>
/// A FedAdam session (Reddi et al. 2021, Algorithm 2) with FedProx local training survives a coordinator restart in the
/// middle of the session with its optimizer state: every committed round's m and v are in PostgreSQL, and the rounds after
/// the restart continue from them exactly (no reset to m = 0, v = τ²), over real gRPC, Orleans and PostgreSQL.
/// </summary>
public sealed class ServerOptimizerTests : IAsyncLifetime
{
    private const int Rounds = 5;
    private const double Eta = 0.05, Beta1 = 0.9, Beta2 = 0.99, Tau = 1e-3;
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 2, examplesEach: 150, idPrefix: "adam");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task FedAdamSession_CoordinatorRestartsMidSession_ContinuesFromTheCommittedOptimizerState()
    {
        var admin = _federation.Coordinator.Admin;
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 2, Ct);
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: Rounds, perRound: 2, min: 2, deadlineSeconds: 60);
        config.ServerLearningRate = Eta;
        config.ServerOptimizer = new ServerOptimizerConfig { Kind = "fedadam" };
        config.Training.ProximalMu = 0.1;
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        // The status shows the optimizer in force, its defaults filled in (Reddi et al. 2021 §5: β₁ = 0.9, β₂ = 0.99).
        Assert.Equal(new ServerOptimizerConfig { Kind = "fedadam", Beta1 = Beta1, Beta2 = Beta2, Tau = Tau }, created.Config.ServerOptimizer);
        Assert.Equal(0.1, created.Config.Training.ProximalMu);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        await WaitForCommittedRoundsAsync(admin, created.SessionId, 2);

        await _federation.RestartCoordinatorAsync();
        var final = await Sessions.WatchUntilFinishedAsync(_federation.Coordinator.Admin, created.SessionId, TimeSpan.FromSeconds(240));

        Assert.Equal(SessionState.Completed, final.State);
        var states = await LoadStatesAsync(created.SessionId);
        var weights = await LoadCheckpointsAsync(created.SessionId);
        // Every round took one step from the state the round before committed: the count never restarted at 1.
        Assert.Equal(Enumerable.Range(1, Rounds).Select(r => (long)r), states.Select(s => s.Steps));
        var dimension = weights[0].Length;
        var previous = (M: new float[dimension], V: Enumerable.Repeat((float)(Tau * Tau), dimension).ToArray());
        for (var round = 1; round <= Rounds; round++)
        {
            var (m, v) = (states[round - 1].M, states[round - 1].V);
            for (var i = 0; i < dimension; i++)
            {
                // Δ recovered from m_t = β₁·m_{t−1} + (1 − β₁)·Δ_t must satisfy FedAdam's v_t = β₂·v_{t−1} + (1 − β₂)·Δ_t²
                // with the v_{t−1} the round before committed (a reset state would not).
                var delta = (m[i] - (Beta1 * previous.M[i])) / (1 - Beta1);
                var expectedV = (Beta2 * previous.V[i]) + ((1 - Beta2) * delta * delta);
                Assert.True(Math.Abs(expectedV - v[i]) <= (1e-5 * v[i]) + 1e-12, $"round {round} [{i}]: v = {v[i]:G9}, expected {expectedV:G9}");
                // And the committed model is x_t + η·m_t / (√v_t + τ) with the stored moments, bit for bit.
                Assert.Equal((float)(weights[round - 1][i] + (Eta * m[i] / (Math.Sqrt(v[i]) + Tau))), weights[round][i]);
            }
            previous = (m, v);
        }
    }

    [Fact]
    public async Task CreateSession_NonsensicalOptimizer_InvalidArgumentNamingEachField()
    {
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 1, min: 1, deadlineSeconds: 5);
        config.ServerOptimizer = new ServerOptimizerConfig { Kind = "fedyogi", Beta1 = 1.0, Beta2 = double.NaN, Tau = -1 };
        config.Training.ProximalMu = -1;

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            _federation.Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        foreach (var field in new[] { "server_optimizer.beta1", "server_optimizer.beta2", "server_optimizer.tau", "training.proximal_mu" })
        {
            Assert.Contains(field, error.Status.Detail, StringComparison.Ordinal);
        }
    }

    private static async Task WaitForCommittedRoundsAsync(AdminService.AdminServiceClient admin, string sessionId, int rounds)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while ((await admin.GetSessionStatusAsync(new SessionRequest { SessionId = sessionId }, cancellationToken: timeout.Token)).CompletedRounds < rounds)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private async Task<List<(long Steps, float[] M, float[] V)>> LoadStatesAsync(string sessionId)
    {
        await using var command = _federation.Database.DataSource.CreateCommand(
            "SELECT steps, first_moment, second_moment FROM server_optimizer_states WHERE session_id = $1 ORDER BY round");
        command.Parameters.Add(new() { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var states = new List<(long, float[], float[])>();
        while (await reader.ReadAsync(Ct))
        {
            states.Add((reader.GetInt64(0), FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(1)), FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(2))));
        }
        return states;
    }

    /// <summary>The initial model (round 0) and every committed round's checkpoint, in order.</summary>
    private async Task<List<float[]>> LoadCheckpointsAsync(string sessionId)
    {
        await using var command = _federation.Database.DataSource.CreateCommand("""
            SELECT 0, initial_weights FROM sessions WHERE session_id = $1
            UNION ALL SELECT round, weights FROM checkpoints WHERE session_id = $1 ORDER BY 1
            """);
        command.Parameters.Add(new() { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var weights = new List<float[]>();
        while (await reader.ReadAsync(Ct))
        {
            weights.Add(FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(1)));
        }
        return weights;
    }
}
