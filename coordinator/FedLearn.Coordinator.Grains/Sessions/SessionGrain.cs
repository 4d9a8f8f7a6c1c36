using System.Security.Cryptography;
using FedLearn.Coordinator.Grains.Evaluation;
using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Ledger;
using FedLearn.Training;
using FedLearn.Training.Onnx;
using Microsoft.Extensions.Logging;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// A training session. Its state is the sessions row plus the latest checkpoint, both in PostgreSQL; on activation it
/// reloads them and, if the session was running, carries on with the next uncommitted round. A ticker drives the rounds:
/// open an attempt when enough participants are connected, collect its result, commit or retry.
/// </summary>
public sealed partial class SessionGrain(
    SessionRepository sessions,
    LedgerRepository ledger,
    LedgerSigner signer,
    ITestSetEvaluator evaluator,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    /// <summary>A round that aborts this many times in a row fails the session rather than retrying for ever.</summary>
    public const int MaxAttemptsPerRound = 20;

    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    private SessionRecord? _record;
    private ModelSpec? _spec;
    private float[] _weights = [];
    private RoundSummary? _lastRound;
    private RoundTask? _openRound;
    private int _openSelected;
    private int _openReported;
    private int _openEligible;
    private SessionPrivacy? _privacy;
    private LedgerHeader? _ledgerHeader;
    private double? _exampleEpsilonReported;
    private int _attempts;
    private string? _progressMessage;
    private long _version;
    private bool _reloadNeeded;
    private IGrainTimer? _ticker;

    private string SessionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (_record?.State == SessionState.Running)
        {
            LogResuming(SessionId, _record.CompletedRounds + 1);
            StartTicker();
        }
    }

    public async Task<SessionSnapshot> Create(SessionDefinition definition)
    {
        if (_record is not null)
        {
            throw new InvalidOperationException($"Session '{SessionId}' already exists.");
        }
        SessionDefinitionValidator.Validate(definition);
        if (definition.Seed == 0)
        {
            definition = definition with { Seed = RandomNumberGenerator.GetInt32(1, int.MaxValue) };
        }
        ModelSpec spec;
        float[] weights;
        if (definition.InitialModelOnnx is { } onnx)
        {
            // Validated above. The imported weights become the initial checkpoint; the bytes are not persisted.
            var imported = OnnxModelImporter.Import(onnx);
            (spec, weights) = (imported.Spec, imported.Weights);
            definition = definition with { Model = definition.Model ?? ToDefinition(spec), InitialModelOnnx = null };
        }
        else
        {
            spec = ModelSpecMapping.ToSpec(definition.Model);
            weights = ModelInitializer.Initialize(spec, definition.Seed);
        }
        var now = time.GetUtcNow();
        var plan = definition.Privacy is null ? null : SessionPrivacy.Resolve(definition.Privacy, definition.Rounds);
        var record = new SessionRecord(SessionId, definition, SessionState.Created, 0, null, now, now, plan);
        var header = SessionLedger.CreateHeader(signer, SessionId, now, plan, definition.ExamplePrivacy);
        await sessions.InsertAsync(record, new Checkpoint(0, weights, WeightHash.Sha256Hex(weights)), header);
        (_record, _spec, _weights) = (record, spec, weights);
        _privacy = plan is null ? null : new SessionPrivacy(plan, definition.Rounds, []);
        _ledgerHeader = header;
        _version++;
        LogCreated(SessionId, definition.Name, spec.ParameterCount);
        return Snapshot();
    }

    private static ModelDefinition ToDefinition(ModelSpec spec) => spec.Kind == ModelKind.Mlp
        ? new ModelDefinition("mlp", spec.InputSize, spec.NumClasses, [.. spec.HiddenSizes], spec.Activation.ToString().ToLowerInvariant())
        : new ModelDefinition("softmax", spec.InputSize, spec.NumClasses, [], "");

    public async Task<SessionSnapshot> Start()
    {
        var record = RequireRecord();
        switch (record.State)
        {
            case SessionState.Running:
                return Snapshot();
            case SessionState.Created:
                await SetStateAsync(SessionState.Running, null);
                StartTicker();
                return Snapshot();
            default:
                throw new InvalidOperationException($"Session '{SessionId}' is {record.State} and cannot be started again.");
        }
    }

    public async Task<SessionSnapshot> Stop(string reason)
    {
        var record = RequireRecord();
        if (record.State is SessionState.Created or SessionState.Running)
        {
            if (_openRound is not null)
            {
                await RoundGrain(_openRound.Round).Cancel();
                _openRound = null;
            }
            await SetStateAsync(SessionState.Stopped, string.IsNullOrWhiteSpace(reason) ? "Stopped by an operator." : reason);
            StopTicker();
        }
        return Snapshot();
    }

    public Task<SessionSnapshot> GetSnapshot()
    {
        RequireRecord();
        return Task.FromResult(Snapshot());
    }

    public Task RoundClosed(int round, int attempt) =>
        _openRound?.Round == round && _openRound.Attempt == attempt ? TickAsync(CancellationToken.None) : Task.CompletedTask;

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (_reloadNeeded)
            {
                await LoadAsync(cancellationToken);
            }
            if (_record?.State != SessionState.Running)
            {
                StopTicker();
                return;
            }
            if (_openRound is null)
            {
                await OpenRoundAsync();
                return;
            }
            var progress = await RoundGrain(_openRound.Round).GetProgress();
            if (progress.Attempt != _openRound.Attempt)
            {
                // The round grain lost the attempt (it was deactivated or the silo restarted): run the round again.
                _openRound = null;
                return;
            }
            if (progress.Reported != _openReported)
            {
                _openReported = progress.Reported;
                _version++;
            }
            if (progress.Result is { } result)
            {
                await CloseRoundAsync(_openRound, result, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Typically the database is unreachable. Nothing is lost: the round's result stays in the round grain and
            // the state is reloaded from the database before the next tick tries again.
            LogTickFailed(e, SessionId);
            _progressMessage = $"Retrying after an error: {e.Message}";
            _reloadNeeded = true;
            _version++;
        }
    }

    private async Task OpenRoundAsync()
    {
        var record = RequireRecord();
        var definition = record.Definition;
        var round = record.CompletedRounds + 1;
        var secureRound = _privacy?.Plan.SecureAggregation == true;
        // A sum over two participants tells each of them the other's update: secure aggregation needs at least three.
        var minimum = secureRound ? Math.Max(SecureAggregationPlanner.MinimumCohort, definition.MinParticipants) : definition.MinParticipants;
        var available = await GrainFactory.GetGrain<IParticipantDirectoryGrain>(0).GetAvailable();
        if (available.Count < minimum)
        {
            SetProgressMessage($"Waiting for participants: {available.Count} connected, at least {minimum} needed.");
            return;
        }
        if (_attempts >= MaxAttemptsPerRound)
        {
            await SetStateAsync(SessionState.Failed, $"Round {round} aborted {_attempts} times in a row; giving up.");
            StopTicker();
            return;
        }
        var selected = _privacy is null
            ? ParticipantSampler.SampleWithoutReplacement(available, definition.ParticipantsPerRound)
            : ParticipantSampler.SamplePoisson(available, _privacy.Plan.SamplingRate);
        _attempts++;
        if (selected.Count < minimum)
        {
            // Nothing was sent or released; the attempt is recorded and the next tick draws a fresh sample.
            var reason = $"Poisson sampling (q = {_privacy!.Plan.SamplingRate:G3}) selected {selected.Count} of {available.Count} eligible participants; at least {minimum} are required";
            var now = time.GetUtcNow();
            await sessions.RecordAbortedRoundAsync(SessionId,
                new RoundSummary(round, _attempts, RoundOutcome.Aborted, selected.Count, 0, 0, double.NaN, double.NaN, double.NaN, null, now, now), reason);
            SetProgressMessage($"Round {round} attempt {_attempts} aborted: {reason}. Retrying.");
            return;
        }
        var secure = secureRound ? SecureAggregationPlanner.Plan(selected.Count, _weights.Length, _privacy!.Plan) : null;
        if (_privacy is not null && await ProjectAsync(secure) is var projected && projected > _privacy.Plan.EpsilonBudget)
        {
            await SetStateAsync(SessionState.BudgetExhausted,
                $"Round {round} would raise ε to {projected:G4} (δ = {_privacy.Plan.Delta:G3}, {_privacy.Plan.Accountant}), above the budget of " +
                $"{_privacy.Plan.EpsilonBudget:G4}; the session stops after {record.CompletedRounds} rounds with ε = {_privacy.Spent:G4}.");
            StopTicker();
            return;
        }
        var task = new RoundTask(
            SessionId, round, _attempts, definition.Model, definition.LocalEpochs, definition.BatchSize, definition.LearningRate,
            _weights.Length, WeightHash.Sha256Hex(_weights), time.GetUtcNow().AddSeconds(definition.RoundDeadlineSeconds),
            _privacy?.Plan, minimum, _privacy?.Spent ?? 0, secure, definition.ExamplePrivacy, definition.Rounds,
            _ledgerHeader is null ? "" : signer.PublicKeySha256);
        _openEligible = available.Count;
        List<string> ids = [.. selected.Select(p => p.ParticipantId)];
        await RoundGrain(round).Begin(new RoundPlan(task, ids, minimum, _weights, definition.Robustness));
        (_openRound, _openSelected, _openReported, _progressMessage) = (task, selected.Count, 0, null);
        _version++;
        // In a secure round each participant learns its own index in the cohort (and nothing of the others' identities).
        await Task.WhenAll(ids.Select((id, index) => GrainFactory.GetGrain<IParticipantGrain>(id)
            .Assign(secure is null ? task : task with { SecureAggregation = secure with { Index = index } })));
    }

    /// <summary>
    /// ε after the next round under the enforced accountant, with the least noise the round can have: the plan's σ with
    /// central noise, or — with secure aggregation — only t survivors' shares of the noise over the inflated sensitivity.
    /// </summary>
    private Task<double> ProjectAsync(SecureAggregationPlan? secure)
    {
        var privacy = _privacy!;
        var sigma = secure is null ? privacy.Plan.NoiseMultiplier : SecureAggregationPlanner.WorstCaseNoiseMultiplier(secure, _weights.Length, privacy.Plan);
        return Task.Run(() => privacy.ProjectNextRound(sigma));
    }

    private async Task CloseRoundAsync(RoundTask task, RoundResult result, CancellationToken cancellationToken)
    {
        var record = RequireRecord();
        if (result.Aborted)
        {
            var aborted = new RoundSummary(task.Round, task.Attempt, RoundOutcome.Aborted, result.ParticipantsSelected,
                result.ParticipantsAggregated, result.ExamplesAggregated, result.TrainLoss, double.NaN, double.NaN, null,
                result.StartedAt, result.ClosedAt);
            await sessions.RecordAbortedRoundAsync(SessionId, aborted, result.AbortReason ?? "aborted", cancellationToken);
            LogAborted(SessionId, task.Round, task.Attempt, result.AbortReason ?? "aborted");
            _openRound = null;
            SetProgressMessage($"Round {task.Round} attempt {task.Attempt} aborted: {result.AbortReason}. Retrying.");
            return;
        }

        var noise = result.Noise;
        var averageDelta = result.AverageDelta ?? _privacy!.MeanOverExpectedCohort(noise is null
            ? _privacy.AddCentralNoise(result.ClippedSum ?? throw new InvalidOperationException("A committed round carries neither a mean nor a sum."))
            : result.ClippedSum!, _openEligible);
        var weights = WeightedUpdateSum.ApplyServerStep(_weights, averageDelta, record.Definition.ServerLearningRate);
        var evaluation = await evaluator.EvaluateAsync(_spec!, weights, cancellationToken);
        var summary = new RoundSummary(task.Round, task.Attempt, RoundOutcome.Committed, result.ParticipantsSelected,
            result.ParticipantsAggregated, result.ExamplesAggregated, result.TrainLoss,
            evaluation?.Loss ?? double.NaN, evaluation?.Accuracy ?? double.NaN, WeightHash.Sha256Hex(weights),
            result.StartedAt, time.GetUtcNow());
        var finished = task.Round >= record.Definition.Rounds;
        var state = finished ? SessionState.Completed : SessionState.Running;
        var message = finished ? $"Completed all {record.Definition.Rounds} rounds." : null;
        // The ledger charges the noise the sum actually carries: σ and C of the plan, or what secure aggregation measured.
        var sigma = noise?.NoiseMultiplier ?? _privacy?.Plan.NoiseMultiplier ?? 0;
        var sensitivity = noise?.Sensitivity ?? _privacy?.CentralSensitivity(_weights.Length) ?? 0;
        var (ledgerEntry, epsilonSpent) = await DraftLedgerEntryAsync(summary, sigma, sensitivity, result.ExampleEpsilonMax);
        await sessions.CommitRoundAsync(new RoundCommit(SessionId, summary, weights, state, message, ledgerEntry), cancellationToken);
        _privacy?.RecordCommitted(sigma, epsilonSpent);
        _exampleEpsilonReported = Max(_exampleEpsilonReported, ledgerEntry?.ExampleEpsilonMax);

        // Only what the database now holds becomes the grain's state.
        _record = record with { CompletedRounds = task.Round, State = state, Message = message, UpdatedAt = summary.CompletedAt };
        (_weights, _lastRound, _openRound, _attempts, _progressMessage) = (weights, summary, null, 0, null);
        _version++;
        LogCommitted(SessionId, task.Round, summary.ParticipantsAggregated, summary.TestAccuracy);
        if (finished)
        {
            StopTicker();
        }
    }

    /// <summary>
    /// The round's ledger entry before sealing (the commit writer adds sequence, chain link, hash, signature), or null for a
    /// session without a ledger; and the participant-level ε it brings the session to under the enforced accountant.
    /// The entry records the levels the session's ledger header declares: what a ledger is bound to never changes.
    /// </summary>
    private async Task<(LedgerEntry? Entry, double EpsilonSpent)> DraftLedgerEntryAsync(
        RoundSummary summary, double sigma, double sensitivity, double? exampleEpsilonMax)
    {
        if (_ledgerHeader is not { } header)
        {
            return (null, 0);
        }
        if (header.ExampleLevel is not null && exampleEpsilonMax is null)
        {
            throw new InvalidOperationException($"Round {summary.Round} carries no example-level ε report; it cannot be recorded in the ledger.");
        }
        ParticipantLevelCharge? charge = null;
        if (_privacy is { } privacy)
        {
            var (rdp, pld) = await Task.Run(() => privacy.EpsilonsWithNextRound(sigma));
            charge = new ParticipantLevelCharge(privacy.Plan, sigma, sensitivity, rdp, pld);
            if (header.RecordsEpsilonAgainstCoordinator)
            {
                var (coordinatorRdp, coordinatorPld) = await Task.Run(() => privacy.EpsilonsAgainstCoordinatorWithNextRound(sigma));
                charge = charge with { EpsilonAgainstCoordinatorRdp = coordinatorRdp, EpsilonAgainstCoordinatorPld = coordinatorPld };
            }
        }
        var entry = SessionLedger.Draft(SessionId, summary, time.GetUtcNow(), charge,
            header.ExampleLevel is null ? null : exampleEpsilonMax);
        return (entry, charge is null ? 0 : charge.Plan.Accountant == "pld" ? charge.EpsilonPld : charge.EpsilonRdp);
    }

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        _reloadNeeded = false;
        _openRound = null;
        _record = await sessions.FindAsync(SessionId, cancellationToken);
        if (_record is null)
        {
            return;
        }
        _spec = ModelSpecMapping.ToSpec(_record.Definition.Model);
        _ledgerHeader = await ledger.LoadHeaderAsync(SessionId, cancellationToken);
        var entries = _ledgerHeader is null ? [] : await ledger.LoadEntriesAsync(SessionId, cancellationToken);
        _privacy = _record.Privacy is { } plan ? new SessionPrivacy(plan, _record.Definition.Rounds, entries) : null;
        _exampleEpsilonReported = entries.Max(e => e.ExampleEpsilonMax);
        var checkpoint = await sessions.FindCheckpointAsync(SessionId, null, cancellationToken)
            ?? throw new InvalidDataException($"Session '{SessionId}' has no initial model.");
        if (checkpoint.Round != _record.CompletedRounds)
        {
            throw new InvalidDataException(
                $"Session '{SessionId}' has {_record.CompletedRounds} committed rounds but its latest checkpoint is round {checkpoint.Round}.");
        }
        _weights = checkpoint.Weights;
        var rounds = await sessions.ListRoundsAsync(SessionId, null, cancellationToken);
        _lastRound = rounds.LastOrDefault(r => r.Outcome == RoundOutcome.Committed);
        // Attempt numbers continue after the aborted attempts already recorded for the next round.
        _attempts = rounds.Where(r => r.Round == _record.CompletedRounds + 1).Select(r => r.Attempt).DefaultIfEmpty(0).Max();
        _version++;
    }

    private async Task SetStateAsync(SessionState state, string? message)
    {
        var record = RequireRecord();
        await sessions.UpdateStateAsync(SessionId, state, message);
        _record = record with { State = state, Message = message, UpdatedAt = time.GetUtcNow() };
        _version++;
        LogStateChanged(SessionId, state, message ?? "");
    }

    private void SetProgressMessage(string message)
    {
        if (_progressMessage != message)
        {
            _progressMessage = message;
            _version++;
        }
    }

    private void StartTicker() =>
        _ticker ??= this.RegisterGrainTimer(TickAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TickPeriod) { KeepAlive = true });

    private void StopTicker()
    {
        _ticker?.Dispose();
        _ticker = null;
    }

    private IRoundGrain RoundGrain(int round) => GrainFactory.GetGrain<IRoundGrain>($"{SessionId}/{round}");

    private SessionRecord RequireRecord() =>
        _record ?? throw new KeyNotFoundException($"Session '{SessionId}' does not exist.");

    private SessionSnapshot Snapshot()
    {
        var record = RequireRecord();
        var open = _openRound;
        return new SessionSnapshot(
            SessionId, record.Definition, record.State, record.CompletedRounds,
            open?.Round ?? 0, open?.Attempt ?? 0, open is null ? 0 : _openSelected, open is null ? 0 : _openReported,
            _lastRound, _progressMessage ?? record.Message, record.CreatedAt, record.UpdatedAt, _version,
            _privacy is null ? null : new PrivacySummary(_privacy.Plan, _privacy.Spent, _privacy.Planned),
            // The signer's own key, never the header's: whoever can write the database could re-sign the ledger under a
            // key of their own and have it published here (issue 9, item 10).
            _ledgerHeader is null ? null : signer.PublicKey,
            _exampleEpsilonReported,
            _ledgerHeader is null ? null : signer.PublicKeySha256,
            _ledgerHeader is null ? null : signer.ForeignKeyProblem(_ledgerHeader.PublicKey));
    }
}
