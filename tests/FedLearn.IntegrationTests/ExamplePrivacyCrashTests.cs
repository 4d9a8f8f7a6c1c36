using System.Text.Json;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Privacy;
using FedLearn.Protos.V1;

namespace FedLearn.IntegrationTests;

/// <summary>
/// An example-private session survives a coordinator restart in the middle of a round: the attempt lost with the
/// coordinator was trained for and is in the spend log; its rerun, on the same model, sends the same DP-SGD result
/// again (a line of 0 steps: no record is touched twice), so the session reaches its last round within the budget.
/// </summary>
public sealed class ExamplePrivacyCrashTests : IAsyncLifetime
{
    private const double Budget = 2.0;
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 2, examplesEach: 200, idPrefix: "steady");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task CoordinatorRestartsMidRound_LostAttemptIsSpentAndTheSessionStillFinishesWithinTheBudget()
    {
        var spendLog = Path.Combine(_federation.DataDirectory, "spent.jsonl");
        using var recorder = new ParticipantProcess(_federation.Coordinator.Address, "recorder",
            Path.Combine(_federation.DataDirectory, "participant-0.csv"), "--spend-log", spendLog);
        var silent = new SilentParticipant(_federation.Coordinator.Address, "silent");
        await using (silent)
        {
            await Sessions.WaitForParticipantsAsync(_federation.Coordinator.Admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);
            // Four selected, three needed: with the silent one in the cohort, round 1 can end only at its (long) deadline,
            // so it is still open when the coordinator goes away.
            var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 4, min: 3, deadlineSeconds: 300);
            config.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = Budget, Delta = 1e-5, ClipNorm = 1.0, ExpectedBatchSize = 25 };
            var created = await _federation.Coordinator.Admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
            await _federation.Coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
            await WaitForSpendLinesAsync(spendLog, 1);

            await silent.DisposeAsync();
            await _federation.RestartCoordinatorAsync();
            var final = await Sessions.WatchUntilFinishedAsync(_federation.Coordinator.Admin, created.SessionId, TimeSpan.FromSeconds(240));

            Assert.Equal(SessionState.Completed, final.State);
        }

        var lines = File.ReadAllLines(spendLog).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([1, 1, 2, 3], lines.Select(l => l.GetProperty("round").GetInt32()));
        var example = lines.Select(l => l.GetProperty("example")).ToList();
        // 2 epochs × 200/25 steps per training; the rerun of round 1 trained for nothing.
        Assert.Equal([16, 0, 16, 16], example.Select(e => e.GetProperty("steps").GetInt32()));
        Assert.Equal([16, 16, 32, 48], example.Select(e => e.GetProperty("total_steps").GetInt32()));
        Assert.Contains("sending again the DP-SGD update trained for round 1 attempt 1", recorder.Output, StringComparison.Ordinal);
        var epsilons = example.Select(e => e.GetProperty("epsilon").GetDouble()).ToList();
        Assert.Equal(epsilons[0], epsilons[1]);
        Assert.True(epsilons[1] < epsilons[2] && epsilons[2] < epsilons[3], string.Join(", ", epsilons));
        var (q, sigma) = (example[0].GetProperty("sampling_rate").GetDouble(), example[0].GetProperty("noise_multiplier").GetDouble());
        Assert.Equal(Accountants.Create(AccountantKind.Rdp).GetEpsilon([new SubsampledGaussianStep(q, sigma, 48)], 1e-5), epsilons[3], 9);
        Assert.True(epsilons[3] <= Budget, $"ε = {epsilons[3]}");

        var spent = await BuiltTool.RunParticipantToolAsync("spent", "--spend-log", spendLog);
        Assert.True(spent.ExitCode == 0, spent.Output);
        Assert.Matches(@"recorder\s+\S+\s+3\s+4\s", spent.Output);
    }

    private static async Task WaitForSpendLinesAsync(string path, int lines)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (LinesNow(path) < lines)
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    /// <summary>The lines the spend log has now; 0 while it is missing or the participant holds its append lock.</summary>
    private static int LinesNow(string path)
    {
        try
        {
            return File.Exists(path) ? File.ReadAllLines(path).Length : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
