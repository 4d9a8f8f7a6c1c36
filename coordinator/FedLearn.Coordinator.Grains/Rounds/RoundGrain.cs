using FedLearn.Coordinator.Grains.Telemetry;
using FedLearn.SecureAggregation.Protocol;
using Microsoft.Extensions.Logging;

namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// One round of a session. Each attempt takes updates from its selected participants until all reported or the deadline
/// passed, then closes: with at least the minimum number of updates (or secure-aggregation survivors) its aggregator
/// releases the aggregate — noised, in a private round — otherwise it aborts without releasing anything.
/// The attempt lives in memory only: if the coordinator dies mid-round the attempt is lost; the session records it as
/// lost (its number is never reused) and settles it (docs/architecture.md, "A round").
/// </summary>
public sealed partial class RoundGrain(TimeProvider time, ILogger<RoundGrain> logger) : Grain, IRoundGrain
{
    private RoundPlan? _plan;
    private ServedModel? _served;
    private HashSet<string> _selected = [];
    private readonly HashSet<string> _received = [];
    private readonly Dictionary<string, LocalMetricsReport> _metrics = [];
    private readonly Dictionary<string, double> _exampleEpsilons = [];
    private IUpdateAggregator? _updates;
    private RobustnessDefinition _limits = RobustnessDefinition.Default;
    private RoundResult? _result;
    private IGrainTimer? _deadlineTimer;
    private DateTimeOffset _startedAt;
    private DateTimeOffset? _stageOpenedAt;
    private SecureAggregationRound? _secure;

    /// <summary>When each secure-aggregation stage closes at the latest, as fractions of the round's time: keys and shares
    /// are quick; the masked input waits for local training; unmasking gets the rest.</summary>
    private static readonly double[] SecureStageEnds = [0.15, 0.30, 0.85, 1.0];

    public Task Begin(RoundPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (plan.BaseWeights.Length != plan.Task.ParameterCount)
        {
            throw new ArgumentException("The base model does not have the task's parameter count.", nameof(plan));
        }
        _deadlineTimer?.Dispose();
        _plan = plan;
        // Serialized once per attempt; every download gets these same bytes (ServedModel is immutable: no copy per call).
        _served = ServedModel.Of(plan.BaseWeights);
        _selected = [.. plan.SelectedParticipants];
        _received.Clear();
        _metrics.Clear();
        _exampleEpsilons.Clear();
        _limits = (plan.Robustness ?? RobustnessDefinition.Default).WithDefaults();
        // A private aggregate clips every update to privacy.clip_norm (README, robustness): refusing one by its norm would make
        // inclusion, published in the counts and the log, depend on the data, which the zero-out neighbour never would.
        _limits = plan.Task.Privacy is null ? _limits : _limits with { UpdateNormPolicy = RobustnessDefinition.Clip };
        _result = null;
        _startedAt = time.GetUtcNow();
        _stageOpenedAt = null;
        _secure = plan.Task.SecureAggregation is null ? null : new SecureAggregationRound(plan);
        _updates = _secure is not null ? null
            : plan.Task.Privacy is { } privacy ? new CentralGaussianAggregator(plan.Task.ParameterCount, privacy, plan.Eligible,
                plan.SelectedParticipants.Count, (ServiceProvider.GetService(typeof(TestOnlyNoise)) as TestOnlyNoise ?? TestOnlyNoise.Honest).Scale)
            : new FedAvgAggregator(UpdateAggregate.For(_limits, plan.Task.ParameterCount));
        ScheduleDeadline();
        LogBegin(plan.Task.SessionId, plan.Task.Round, plan.Task.Attempt, _selected.Count);
        return Task.CompletedTask;
    }

    public async Task<SecureStageReply> SecureAggregationStep(string participantId, int attempt, SecureAggregationStage stage, byte[] payload)
    {
        if (_plan is null || _secure is null || _result is not null)
        {
            return SecureStageReply.Failed("no secure-aggregation attempt of this round is open");
        }
        if (attempt != _plan.Task.Attempt)
        {
            return SecureStageReply.Failed($"the message is for attempt {attempt}; the round is on attempt {_plan.Task.Attempt}");
        }
        var reply = _secure.Handle(participantId, stage, payload);
        await AdvanceSecureStagesAsync();
        return reply;
    }

    public async Task<UpdateReceipt> SubmitMaskedInput(string participantId, int attempt, uint[] values, double? exampleEpsilon = null)
    {
        if (_plan is null || _secure is null || _result is not null || attempt != _plan.Task.Attempt)
        {
            return UpdateReceipt.Rejected("no secure-aggregation attempt of this round is open");
        }
        if (UpdateValidator.ExampleEpsilonProblem(exampleEpsilon, _plan.Task.ExamplePrivacy) is { } reportProblem)
        {
            LogRejected(_plan.Task.SessionId, _plan.Task.Round, participantId, reportProblem);
            return UpdateReceipt.Rejected(reportProblem);
        }
        if (_secure.SubmitMaskedInput(participantId, values) is { } problem)
        {
            return UpdateReceipt.Rejected(problem);
        }
        _received.Add(participantId);
        RecordExampleEpsilon(participantId, exampleEpsilon);
        await AdvanceSecureStagesAsync();
        return UpdateReceipt.Ok;
    }

    public Task<ServedModel?> DownloadModel(string participantId) =>
        Task.FromResult(_plan is not null && _result is null && _selected.Contains(participantId) ? _served : null);

    public Task<int?> ExpectedUpdateLength(string participantId) =>
        Task.FromResult(_plan is not null && _result is null && _selected.Contains(participantId) && !_received.Contains(participantId)
            ? _secure?.VectorLength ?? _plan.Task.ParameterCount
            : (int?)null);

    public async Task<UpdateReceipt> SubmitUpdate(ModelUpdate update)
    {
        ArgumentNullException.ThrowIfNull(update);
        if (_plan is null || _result is not null || (_updates is null && _secure is null))
        {
            return UpdateReceipt.Rejected("the round is not accepting updates (it closed or never opened)");
        }
        if (_secure is not null || _updates is null)
        {
            // The coordinator must never hold an individual update of a secure round in the clear.
            return UpdateReceipt.Rejected("this round uses secure aggregation; plain updates are refused");
        }
        if (update.Attempt != _plan.Task.Attempt)
        {
            return UpdateReceipt.Rejected($"the update is for attempt {update.Attempt}; the round is on attempt {_plan.Task.Attempt}");
        }
        if (!_selected.Contains(update.ParticipantId))
        {
            return UpdateReceipt.Rejected("the participant was not selected for this round");
        }
        if (_received.Contains(update.ParticipantId))
        {
            return UpdateReceipt.Rejected("an update from this participant was already received for this attempt");
        }
        if ((UpdateValidator.Problem(update, _plan.Task.ParameterCount, _limits)
             ?? UpdateValidator.ExampleEpsilonProblem(update.ExampleEpsilon, _plan.Task.ExamplePrivacy)
             ?? UpdateValidator.ClipReportProblem(update.ClipReport, _plan.Task.Privacy)) is { } problem)
        {
            LogRejected(_plan.Task.SessionId, _plan.Task.Round, update.ParticipantId, problem);
            return UpdateReceipt.Rejected(problem);
        }
        _updates.Add(update.Delta, update.NumExamples, update.ClipReport);
        _received.Add(update.ParticipantId);
        RecordExampleEpsilon(update.ParticipantId, update.ExampleEpsilon);
        if (_received.Count == _selected.Count)
        {
            await CloseAsync("all selected participants reported");
        }
        return UpdateReceipt.Ok;
    }

    public Task<UpdateReceipt> ReportMetrics(LocalMetricsReport report)
    {
        var problem = _plan is null || _result is not null ? "the round is not open"
            : !_selected.Contains(report.ParticipantId) ? "the participant was not selected for this round"
            : _plan.Task.Privacy is not null || _plan.Task.ExamplePrivacy is not null ? "a private round publishes no local metrics"
            : UpdateValidator.MetricsProblem(report, _limits);
        if (problem is not null)
        {
            return Task.FromResult(UpdateReceipt.Rejected(problem));
        }
        _metrics[report.ParticipantId] = report;
        return Task.FromResult(UpdateReceipt.Ok);
    }

    public Task<RoundProgress> GetProgress() =>
        Task.FromResult(new RoundProgress(_plan?.Task.Attempt ?? 0, _selected.Count, _received.Count, _result));

    public Task Cancel()
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        _plan = null;
        _served = null;
        _updates = null;
        _secure = null;
        _result = null;
        _selected = [];
        _received.Clear();
        _metrics.Clear();
        _exampleEpsilons.Clear();
        return Task.CompletedTask;
    }

    private void RecordExampleEpsilon(string participantId, double? epsilon)
    {
        if (epsilon is { } e)
        {
            _exampleEpsilons[participantId] = e;
        }
    }

    /// <summary>
    /// The largest example-level ε among the participants whose update (in a secure round: masked input) was taken into
    /// the aggregate. Null when the session declares no example level.
    /// </summary>
    private double? ExampleEpsilonMax() => _exampleEpsilons.Count == 0 ? null : _exampleEpsilons.Values.Max();

    private void ScheduleDeadline()
    {
        _deadlineTimer?.Dispose();
        var end = _plan!.Task.Deadline;
        if (_secure is not null)
        {
            end = _startedAt + (end - _startedAt) * SecureStageEnds[(int)_secure.Stage - 1];
        }
        var due = end - time.GetUtcNow();
        _deadlineTimer = this.RegisterGrainTimer(
            _ => _secure is null ? CloseAsync("deadline") : CloseSecureStageAsync(),
            new GrainTimerCreationOptions(due > TimeSpan.Zero ? due : TimeSpan.Zero, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    /// <summary>A stage's deadline passed: close it with whoever made it, then carry on.</summary>
    private Task CloseSecureStageAsync()
    {
        if (_secure is null || _result is not null)
        {
            return Task.CompletedTask;
        }
        CloseSecureStage(_secure);
        return AdvanceSecureStagesAsync(stageClosed: true);
    }

    /// <summary>Closes the current secure-aggregation stage and reports how long it was open (a timing, never a payload).</summary>
    private void CloseSecureStage(SecureAggregationRound secure)
    {
        var stage = secure.Stage;
        var now = time.GetUtcNow();
        secure.CloseStage();
        CoordinatorTelemetry.SecureStageClosed(_plan!.Task.SessionId, stage.ToString(), now - (_stageOpenedAt ?? _startedAt));
        _stageOpenedAt = now;
    }

    /// <summary>Closes stages whose messages are all in, and finishes or aborts the attempt when the protocol ends.</summary>
    private async Task AdvanceSecureStagesAsync(bool stageClosed = false)
    {
        var secure = _secure!;
        while (!secure.IsOver && secure.StageComplete)
        {
            CloseSecureStage(secure);
            stageClosed = true;
        }
        if (secure.IsOver)
        {
            await CloseAsync(secure.Stage == SecureRoundStage.Finished ? "secure aggregation finished" : "secure aggregation aborted");
        }
        else if (stageClosed)
        {
            ScheduleDeadline();
        }
    }

    private Task CloseAsync(string why)
    {
        if (_plan is null || _result is not null || (_updates is null && _secure is null))
        {
            return Task.CompletedTask;
        }
        if (_secure is not null)
        {
            return CloseSecureAsync(why);
        }
        var updates = _updates!;
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        var task = _plan.Task;
        var received = _received.Count;
        // Every condition is checked before the aggregator adds noise and releases: an attempt that aborts releases nothing.
        var enough = received >= _plan.MinParticipants;
        var release = enough ? updates.Release() : null;
        var isPrivate = task.Privacy is not null;
        // Participants' example counts and local losses are computed on private data: a private round releases neither.
        _result = new RoundResult(
            task.Attempt,
            _selected.Count,
            received,
            updates.Examples,
            isPrivate ? double.NaN : WeightedTrainLoss(),
            release?.Delta,
            enough ? null : $"only {received} of {_selected.Count} updates arrived by the deadline; at least {_plan.MinParticipants} are required",
            _startedAt,
            time.GetUtcNow(),
            release?.Noise,
            ExampleEpsilonMax(),
            release?.NoisyUnclippedCount);
        _updates = null;
        LogClosed(task.SessionId, task.Round, task.Attempt, why, _result.ParticipantsAggregated, _result.Aborted);
        // One-way: the session picks the result up with GetProgress; this only saves it a wait for its next tick.
        return GrainFactory.GetGrain<ISessionGrain>(task.SessionId).RoundClosed(task.Round, task.Attempt);
    }

    private Task CloseSecureAsync(string why)
    {
        _deadlineTimer?.Dispose();
        _deadlineTimer = null;
        var task = _plan!.Task;
        var secure = _secure!;
        // The survivors' minimum was checked before the unmask request went out (SecureAggregationRound.CloseStage).
        AggregateRelease? release = null;
        var abortReason = secure.Stage == SecureRoundStage.Finished ? null : $"secure aggregation aborted: {secure.AbortReason}";
        if (abortReason is null)
        {
            try
            {
                release = secure.Release();
            }
            catch (Exception e) when (e is SecAggAbortedException or InvalidOperationException or ArgumentException)
            {
                // Too few unmask responses, or shares that do not reconstruct: the attempt closes as aborted, never stays open.
                abortReason = $"secure aggregation aborted while unmasking: {e.Message}";
            }
        }
        var survivors = release?.Noise?.Survivors ?? 0;
        _result = new RoundResult(task.Attempt, _selected.Count, survivors, 0, double.NaN, release?.Delta, abortReason,
            _startedAt, time.GetUtcNow(), release?.Noise, ExampleEpsilonMax(), release?.NoisyUnclippedCount);
        _secure = null;
        LogClosed(task.SessionId, task.Round, task.Attempt, why, survivors, _result.Aborted);
        return GrainFactory.GetGrain<ISessionGrain>(task.SessionId).RoundClosed(task.Round, task.Attempt);
    }

    private double WeightedTrainLoss()
    {
        // Reports are bounded (UpdateValidator.MetricsProblem); the sums are in double so no count can overflow them.
        var reports = _metrics.Where(m => _received.Contains(m.Key)).Select(m => m.Value).ToList();
        var examples = reports.Sum(r => (double)r.NumExamples);
        return examples == 0 ? double.NaN : reports.Sum(r => r.TrainLoss * r.NumExamples) / examples;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} round {Round} attempt {Attempt} opened with {Selected} participants")]
    private partial void LogBegin(string sessionId, int round, int attempt, int selected);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} round {Round} attempt {Attempt} closed ({Why}): {Aggregated} updates, aborted: {Aborted}")]
    private partial void LogClosed(string sessionId, int round, int attempt, string why, int aggregated, bool aborted);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} round {Round}: rejected the update of {ParticipantId}: {Problem}")]
    private partial void LogRejected(string sessionId, int round, string participantId, string problem);
}
