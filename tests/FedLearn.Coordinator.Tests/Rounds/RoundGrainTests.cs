using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Tests.Cluster;

namespace FedLearn.Coordinator.Tests.Rounds;

[Collection(ClusterCollection.Name)]
public sealed class RoundGrainTests(ClusterFixture fixture)
{
    private static readonly ModelDefinition Model = new("softmax", 2, 2, [], "relu");
    private static readonly float[] BaseWeights = [0.5f, -0.25f, 1f];
    private static readonly TimeSpan Long = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan Short = TimeSpan.FromSeconds(1);

    private readonly string _sessionId = $"s-{Guid.NewGuid():N}";

    private IRoundGrain Round => fixture.Grains.GetGrain<IRoundGrain>($"{_sessionId}/1");

    [Fact]
    public async Task SubmitUpdate_AllSelectedReported_ClosesWithExampleWeightedMean()
    {
        await Round.Begin(Plan(1, ["a", "b", "c"], min: 2, Long));

        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 0f, 2f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("b", 1, 30, 5f, 4f, 2f))).Accepted);
        Assert.Null((await Round.GetProgress()).Result);
        Assert.True((await Round.SubmitUpdate(Update("c", 1, 60, -1f, 1f, 2f))).Accepted);

        // Closed by the last update, long before the 10-minute deadline.
        var progress = await Round.GetProgress();
        var result = Assert.IsType<RoundResult>(progress.Result);
        Assert.False(result.Aborted);
        Assert.Null(result.AbortReason);
        Assert.Equal(1, result.Attempt);
        Assert.Equal(3, result.ParticipantsSelected);
        Assert.Equal(3, result.ParticipantsAggregated);
        Assert.Equal(100, result.ExamplesAggregated);
        // (10·[1,0,2] + 30·[5,4,2] + 60·[-1,1,2]) / 100 = [1, 1.8, 2]
        AssertClose([1f, 1.8f, 2f], result.AverageDelta!);
        Assert.Equal(new RoundProgress(1, 3, 3, result), progress);
        await WaitForRoundClosedAsync(attempt: 1);
    }

    [Fact]
    public async Task SubmitUpdate_AfterClose_Rejected()
    {
        await Round.Begin(Plan(1, ["a"], min: 1, Long));
        await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));

        var receipt = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));

        Assert.False(receipt.Accepted);
        Assert.Contains("not accepting", receipt.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SubmitUpdate_Replay_RejectedAndCountedOnce()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Long));
        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f))).Accepted);

        var replay = await Round.SubmitUpdate(Update("a", 1, 10, 9f, 9f, 9f));

        Assert.False(replay.Accepted);
        Assert.Contains("already received", replay.Reason, StringComparison.Ordinal);
        Assert.Equal(1, (await Round.GetProgress()).Reported);
        await Round.SubmitUpdate(Update("b", 1, 10, 3f, 3f, 3f));
        AssertClose([2f, 2f, 2f], (await Round.GetProgress()).Result!.AverageDelta!);
    }

    [Fact]
    public async Task SubmitUpdate_NotSelected_Rejected()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Long));

        var receipt = await Round.SubmitUpdate(Update("mallory", 1, 10, 1f, 1f, 1f));

        Assert.False(receipt.Accepted);
        Assert.Contains("not selected", receipt.Reason, StringComparison.Ordinal);
        Assert.Equal(0, (await Round.GetProgress()).Reported);
    }

    [Fact]
    public async Task SubmitUpdate_MalformedUpdates_RejectedWithoutTouchingTheAggregate()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Long));

        var wrongShape = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f));
        var nan = await Round.SubmitUpdate(Update("a", 1, 10, 1f, float.NaN, 1f));
        var infinity = await Round.SubmitUpdate(Update("b", 1, 10, float.PositiveInfinity, 1f, 1f));
        var noExamples = await Round.SubmitUpdate(Update("b", 1, 0, 100f, 100f, 100f));

        Assert.All([wrongShape, nan, infinity, noExamples], r => Assert.False(r.Accepted));
        Assert.Contains("2 values", wrongShape.Reason, StringComparison.Ordinal);
        Assert.Contains("non-finite", nan.Reason, StringComparison.Ordinal);
        Assert.Contains("num_examples", noExamples.Reason, StringComparison.Ordinal);
        Assert.Equal(0, (await Round.GetProgress()).Reported);

        // A rejected update does not use up the participant's turn: the corrected one is taken, alone in the mean.
        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 2f, 3f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("b", 1, 30, 1f, 2f, 3f))).Accepted);
        var result = (await Round.GetProgress()).Result!;
        Assert.Equal(40, result.ExamplesAggregated);
        AssertClose([1f, 2f, 3f], result.AverageDelta!);
    }

    [Fact]
    public async Task SubmitUpdate_OtherAttempt_Rejected()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Long));
        await Round.Begin(Plan(2, ["a", "b"], min: 1, Long));

        var stale = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));
        var future = await Round.SubmitUpdate(Update("a", 3, 10, 1f, 1f, 1f));

        Assert.False(stale.Accepted);
        Assert.Contains("attempt 1", stale.Reason, StringComparison.Ordinal);
        Assert.False(future.Accepted);
        Assert.Equal(0, (await Round.GetProgress()).Reported);
        Assert.True((await Round.SubmitUpdate(Update("a", 2, 10, 1f, 1f, 1f))).Accepted);
    }

    [Fact]
    public async Task SubmitUpdate_BeforeBegin_Rejected()
    {
        var receipt = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));

        Assert.False(receipt.Accepted);
        Assert.Equal(new RoundProgress(0, 0, 0, null), await Round.GetProgress());
    }

    [Fact]
    public async Task Deadline_FewerThanMinimumUpdates_Aborts()
    {
        await Round.Begin(Plan(1, ["a", "b", "c"], min: 2, Short));
        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f))).Accepted);

        var result = await WaitForResultAsync();

        Assert.True(result.Aborted);
        Assert.Null(result.AverageDelta);
        Assert.Contains("only 1 of 3", result.AbortReason, StringComparison.Ordinal);
        Assert.Equal(1, result.ParticipantsAggregated);
        Assert.Equal(10, result.ExamplesAggregated);
        Assert.False((await Round.SubmitUpdate(Update("b", 1, 10, 1f, 1f, 1f))).Accepted);
        await WaitForRoundClosedAsync(attempt: 1);
    }

    [Fact]
    public async Task Deadline_AtLeastMinimumUpdates_AggregatesOnlyWhatArrived()
    {
        await Round.Begin(Plan(1, ["a", "b", "c"], min: 2, Short));
        await Round.SubmitUpdate(Update("a", 1, 10, 2f, 0f, 0f));
        await Round.SubmitUpdate(Update("b", 1, 30, 6f, 4f, -4f));

        var result = await WaitForResultAsync();

        Assert.False(result.Aborted);
        Assert.Null(result.AbortReason);
        Assert.Equal(3, result.ParticipantsSelected);
        Assert.Equal(2, result.ParticipantsAggregated);
        Assert.Equal(40, result.ExamplesAggregated);
        AssertClose([5f, 3f, -3f], result.AverageDelta!);
        Assert.True(result.ClosedAt >= result.StartedAt);
    }

    [Fact]
    public async Task DownloadModel_OpenAttempt_OnlySelectedGetBaseWeights()
    {
        Assert.Null(await Round.DownloadModel("a"));
        await Round.Begin(Plan(1, ["a"], min: 1, Long));

        Assert.Equal(BaseWeights, (await Round.DownloadModel("a"))!.ToFloats());
        Assert.Null(await Round.DownloadModel("b"));

        await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));
        Assert.Null(await Round.DownloadModel("a"));
    }

    [Fact]
    public async Task Begin_NewAttempt_ResetsEverything()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Long));
        await Round.SubmitUpdate(Update("a", 1, 10, 100f, 100f, 100f));
        await Round.ReportMetrics(new LocalMetricsReport("a", 50.0, 0.1, 10));

        await Round.Begin(Plan(2, ["b", "c"], min: 2, Long));

        Assert.Equal(new RoundProgress(2, 2, 0, null), await Round.GetProgress());
        Assert.Null(await Round.DownloadModel("a"));
        Assert.False((await Round.SubmitUpdate(Update("a", 2, 10, 1f, 1f, 1f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("b", 2, 10, 1f, 1f, 1f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("c", 2, 10, 3f, 3f, 3f))).Accepted);
        var result = (await Round.GetProgress()).Result!;
        Assert.Equal(2, result.Attempt);
        Assert.Equal(20, result.ExamplesAggregated);
        AssertClose([2f, 2f, 2f], result.AverageDelta!);
        Assert.True(double.IsNaN(result.TrainLoss));
    }

    [Fact]
    public async Task Begin_AfterClosedAttempt_ClearsTheResult()
    {
        await Round.Begin(Plan(1, ["a"], min: 1, Long));
        await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));

        await Round.Begin(Plan(2, ["a"], min: 1, Long));

        Assert.Equal(new RoundProgress(2, 1, 0, null), await Round.GetProgress());
        Assert.Equal(BaseWeights, (await Round.DownloadModel("a"))!.ToFloats());
    }

    [Fact]
    public async Task Begin_EarlierAttemptHadShortDeadline_OldTimerDoesNotCloseNewAttempt()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Short));
        await Round.Begin(Plan(2, ["a", "b"], min: 1, Long));

        await Task.Delay(Short * 1.5, TestContext.Current.CancellationToken);

        Assert.Equal(new RoundProgress(2, 2, 0, null), await Round.GetProgress());
    }

    [Fact]
    public async Task Begin_BaseWeightsOfWrongLength_Throws()
    {
        var plan = Plan(1, ["a"], min: 1, Long);

        await Assert.ThrowsAsync<ArgumentException>(() => Round.Begin(plan with { BaseWeights = [1f] }));
    }

    [Fact]
    public async Task ReportMetrics_SelectedParticipants_TrainLossIsExampleWeighted()
    {
        await Round.Begin(Plan(1, ["a", "b", "c"], min: 1, Long));
        Assert.True((await Round.ReportMetrics(new LocalMetricsReport("a", 1.0, 0.9, 10))).Accepted);
        Assert.True((await Round.ReportMetrics(new LocalMetricsReport("b", 4.0, 0.5, 30))).Accepted);
        var stranger = await Round.ReportMetrics(new LocalMetricsReport("mallory", 1000.0, 0.0, 1000));
        var nan = await Round.ReportMetrics(new LocalMetricsReport("c", double.NaN, 0.0, 10));
        var overclaim = await Round.ReportMetrics(new LocalMetricsReport("c", 1e4, 0.0, long.MaxValue));
        Assert.Contains("not selected", stranger.Reason, StringComparison.Ordinal);
        Assert.StartsWith("train_loss", nan.Reason, StringComparison.Ordinal);
        Assert.StartsWith("num_examples", overclaim.Reason, StringComparison.Ordinal);
        await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));
        await Round.SubmitUpdate(Update("b", 1, 30, 1f, 1f, 1f));
        await Round.SubmitUpdate(Update("c", 1, 10, 1f, 1f, 1f));

        var result = (await Round.GetProgress()).Result!;

        // (10·1 + 30·4) / 40; the unselected and the NaN reports are ignored.
        Assert.Equal(3.25, result.TrainLoss, 1e-12);
    }

    [Fact]
    public async Task Cancel_OpenAttempt_StopsTakingUpdatesAndNeverCloses()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Short));
        await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));

        await Round.Cancel();

        Assert.False((await Round.SubmitUpdate(Update("b", 1, 10, 1f, 1f, 1f))).Accepted);
        Assert.Null(await Round.DownloadModel("b"));
        await Task.Delay(Short * 1.5, TestContext.Current.CancellationToken);
        Assert.Equal(new RoundProgress(0, 0, 0, null), await Round.GetProgress());
        Assert.DoesNotContain(RecordingSessionGrain.ClosedRounds, c => c.SessionId == _sessionId);
    }

    [Fact]
    public async Task SubmitUpdate_PrivateRound_ReleasesTheNoisyClippedSumOverTheExpectedCohortWithItsChargeAndNoLocalStatistics()
    {
        // σ so small that the noise (and the grid it snaps to) hardly shows: what is left is the clipped sum over q·N.
        var privacy = new PrivacyPlan(PrivacyPlan.CentralGaussian, 0.5, 1e-5, ClipNorm: 1.0, 3.0, 1e-5, "rdp", false);
        var plan = Plan(1, ["a", "b"], min: 2, Long);
        await Round.Begin(plan with { Task = plan.Task with { Privacy = privacy }, Eligible = 4 });
        await Round.ReportMetrics(new LocalMetricsReport("a", 0.7, 0.9, 10));

        // a: norm 5 → clipped to norm 1; b: norm 0.5 → unchanged. Example counts must not weigh.
        await Round.SubmitUpdate(Update("a", 1, 10, 3f, 4f, 0f));
        await Round.SubmitUpdate(Update("b", 1, 990, 0f, 0f, 0.5f));

        var result = Assert.IsType<RoundResult>((await Round.GetProgress()).Result);
        Assert.False(result.Aborted);
        // ([0.6, 0.8, 0] + [0, 0, 0.5]) / (q·N = 0.5·4)
        // Within the grid the sum is snapped to (γ ≤ 1/64 here), over q·N.
        Assert.Equal([0.3, 0.4, 0.25], result.AverageDelta!.Select(v => (double)v), (a, b) => Math.Abs(a - b) < 0.02);
        var sensitivity = FedLearn.Privacy.Noise.GridGaussianMechanism.ChargedSensitivity(1.0, 1e-5, 3);
        Assert.Equal(new NoiseInSum(1e-5, sensitivity, 2), result.Noise);
        Assert.Equal(0, result.ExamplesAggregated);
        Assert.True(double.IsNaN(result.TrainLoss));
        await WaitForRoundClosedAsync(attempt: 1);
    }

    [Fact]
    public async Task SubmitUpdate_PrivateRoundWithTheRejectPolicy_ClipsAnUpdateAboveTheBoundInsteadOfRefusingIt()
    {
        // Refusing by norm would make inclusion (published in the counts) depend on the data; the zero-out neighbour's
        // update is never refused. A private aggregate clips to privacy.clip_norm anyway.
        var privacy = new PrivacyPlan(PrivacyPlan.CentralGaussian, 0.5, 1e-5, ClipNorm: 1.0, 3.0, 1e-5, "rdp", false);
        var plan = Plan(1, ["a", "b"], min: 2, Long);
        var limits = RobustnessDefinition.Default with { MaxUpdateNorm = 2 };
        await Round.Begin(plan with { Task = plan.Task with { Privacy = privacy }, Eligible = 4, Robustness = limits });

        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 30f, 40f, 0f))).Accepted); // norm 50 > 2
        Assert.True((await Round.SubmitUpdate(Update("b", 1, 10, 0f, 0f, 0.5f))).Accepted);

        var result = Assert.IsType<RoundResult>((await Round.GetProgress()).Result);
        Assert.Equal(2, result.ParticipantsAggregated);
        Assert.Equal([0.3, 0.4, 0.25], result.AverageDelta!.Select(v => (double)v), (x, y) => Math.Abs(x - y) < 0.02);
        await WaitForRoundClosedAsync(attempt: 1);
    }

    [Fact]
    public async Task Deadline_PrivateRoundWithTooFewUpdates_AbortsWithoutReleasingOrCharging()
    {
        var privacy = new PrivacyPlan(PrivacyPlan.CentralGaussian, 0.5, 1.0, ClipNorm: 1.0, 3.0, 1e-5, "rdp", false);
        var plan = Plan(1, ["a", "b", "c"], min: 2, Short);
        await Round.Begin(plan with { Task = plan.Task with { Privacy = privacy }, Eligible = 6 });
        await Round.SubmitUpdate(Update("a", 1, 10, 3f, 4f, 0f));

        var result = await WaitForResultAsync();

        Assert.True(result.Aborted);
        Assert.Null(result.AverageDelta);
        Assert.Null(result.Noise);
    }

    [Fact]
    public async Task SubmitUpdate_ExampleLevelSession_NeedsAReportWithinBudgetAndResultCarriesTheLargest()
    {
        var example = new ExamplePrivacyDefinition(EpsilonBudget: 2.0, Delta: 1e-5, "rdp", NoiseMultiplier: 0, ClipNorm: 1.0, ExpectedBatchSize: 16);
        var plan = Plan(1, ["a", "b", "c"], min: 2, Long);
        await Round.Begin(plan with { Task = plan.Task with { ExamplePrivacy = example } });

        var missing = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));
        var overBudget = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f) with { ExampleEpsilon = 2.5 });
        var notANumber = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f) with { ExampleEpsilon = double.NaN });

        Assert.False(missing.Accepted);
        Assert.Contains("must report", missing.Reason, StringComparison.Ordinal);
        Assert.False(overBudget.Accepted);
        Assert.Contains("exceeds the session's example-level budget", overBudget.Reason, StringComparison.Ordinal);
        Assert.False(notANumber.Accepted);
        Assert.Equal(0, (await Round.GetProgress()).Reported);
        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f) with { ExampleEpsilon = 1.25 })).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("b", 1, 10, 1f, 1f, 1f) with { ExampleEpsilon = 1.75 })).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("c", 1, 10, 1f, 1f, 1f) with { ExampleEpsilon = 0.5 })).Accepted);

        var result = Assert.IsType<RoundResult>((await Round.GetProgress()).Result);
        Assert.Equal(1.75, result.ExampleEpsilonMax);
        await WaitForRoundClosedAsync(attempt: 1);
    }

    [Fact]
    public async Task SubmitUpdate_ExampleEpsilonInSessionWithoutExampleLevel_RejectedAndResultCarriesNone()
    {
        await Round.Begin(Plan(1, ["a", "b"], min: 1, Long));

        var receipt = await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f) with { ExampleEpsilon = 1.0 });
        await Round.SubmitUpdate(Update("a", 1, 10, 1f, 1f, 1f));
        await Round.SubmitUpdate(Update("b", 1, 10, 1f, 1f, 1f));

        Assert.False(receipt.Accepted);
        Assert.Contains("declares no example-level guarantee", receipt.Reason, StringComparison.Ordinal);
        Assert.Null((await Round.GetProgress()).Result!.ExampleEpsilonMax);
    }

    [Fact]
    public async Task SubmitUpdate_HostileClaimsAndValues_RejectedAndTheMeanIsTheHonestOne()
    {
        await Round.Begin(Plan(1, ["a", "b", "mallory"], min: 2, Long));

        var huge = await Round.SubmitUpdate(Update("mallory", 1, 1L << 62, 1f, 1f, 1f));
        var wrapping = await Round.SubmitUpdate(Update("mallory", 1, long.MaxValue, 1f, 1f, 1f));
        var poisoned = await Round.SubmitUpdate(Update("mallory", 1, 10, -1e30f, 0f, 0f));
        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 0f, 2f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("b", 1, 30, 5f, 4f, 2f))).Accepted);
        // Refused uploads leave mallory's seat open: a well-formed update is still taken, and closes the round.
        Assert.True((await Round.SubmitUpdate(Update("mallory", 1, 10, 0f, 0f, 0f))).Accepted);

        Assert.All([huge, wrapping], r => Assert.Contains("max_examples_per_participant", r.Reason, StringComparison.Ordinal));
        Assert.Contains("max_update_norm", poisoned.Reason, StringComparison.Ordinal);
        var result = Assert.IsType<RoundResult>((await Round.GetProgress()).Result);
        Assert.Equal(3, result.ParticipantsAggregated);
        Assert.Equal(50, result.ExamplesAggregated);
        // (10·[1,0,2] + 30·[5,4,2] + 10·[0,0,0]) / 50
        AssertClose([3.2f, 2.4f, 1.6f], result.AverageDelta!);
    }

    [Fact]
    public async Task SubmitUpdate_MedianSession_OneHostileCannotMoveTheResultOutsideTheHonestRange()
    {
        var plan = Plan(1, ["a", "b", "mallory"], min: 3, Long) with
        {
            Robustness = RobustnessDefinition.Default with { Aggregation = RobustnessDefinition.Median, UpdateNormPolicy = RobustnessDefinition.Clip },
        };
        await Round.Begin(plan);

        Assert.True((await Round.SubmitUpdate(Update("mallory", 1, RobustnessDefinition.DefaultMaxExamplesPerParticipant, -1e30f, 1e30f, 0f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("a", 1, 10, 1f, 0f, 2f))).Accepted);
        Assert.True((await Round.SubmitUpdate(Update("b", 1, 30, 5f, 4f, 2f))).Accepted);

        var result = Assert.IsType<RoundResult>((await Round.GetProgress()).Result);
        AssertClose([1f, 4f, 2f], result.AverageDelta!);
    }

    private RoundPlan Plan(int attempt, string[] selected, int min, TimeSpan deadlineIn) =>
        new(
            new RoundTask(_sessionId, 1, attempt, Model, 1, 32, 0.1, BaseWeights.Length, "sha", TimeProvider.System.GetUtcNow() + deadlineIn),
            selected,
            min,
            BaseWeights);

    private static ModelUpdate Update(string participant, int attempt, long examples, params float[] delta) =>
        new(participant, attempt, examples, delta);

    private async Task<RoundResult> WaitForResultAsync()
    {
        // Generous: the deadline is 1 s, but a loaded 2-core CI machine may run the timer late.
        var giveUpAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(15);
        while (TimeProvider.System.GetUtcNow() < giveUpAt)
        {
            if ((await Round.GetProgress()).Result is { } result)
            {
                return result;
            }
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
        throw new TimeoutException("The round did not close by its deadline.");
    }

    private async Task WaitForRoundClosedAsync(int attempt)
    {
        var giveUpAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (!RecordingSessionGrain.ClosedRounds.Contains((_sessionId, 1, attempt)))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < giveUpAt, "The round never told its session it closed.");
            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5f);
        }
    }
}
