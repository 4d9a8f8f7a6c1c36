using System.Security.Cryptography;
using FedLearn.Coordinator.Grains.Evaluation;
using FedLearn.Coordinator.Grains.Optimization;
using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Ledger;
using FedLearn.Training;
using FedLearn.Training.Onnx;
using Microsoft.Extensions.Logging;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// A training session. Its state is the sessions row plus the latest checkpoint, both in PostgreSQL; on activation it
/// reloads them and, if the session was running, carries on with the next uncommitted round. A ticker drives the rounds
/// (SessionGrain.Rounds.cs): open an attempt when enough participants are connected, collect its result, commit — or,
/// without participant-level privacy, retry.
/// </summary>
public sealed partial class SessionGrain(
    SessionRepository sessions,
    RoundAttemptRepository attempts,
    LedgerRepository ledger,
    LedgerSigner signer,
    ITestSetEvaluator evaluator,
    TimeProvider time,
    ILogger<SessionGrain> logger) : Grain, ISessionGrain
{
    /// <summary>A round that aborts this many times in a row fails the session rather than retrying for ever.</summary>
    public const int MaxAttemptsPerRound = 20;

    /// <summary>
    /// How often the session looks for enough participants and checks its open round. Rounds do not wait for it: a round
    /// that closes nudges the session (RoundClosed), which commits and opens the next one at once.
    /// </summary>
    private static readonly TimeSpan TickPeriod = TimeSpan.FromSeconds(1);

    /// <summary>Round tasks pushed to participants' work streams at once.</summary>
    private const int MaxConcurrentPushes = 64;

    private SessionRecord? _record;
    private ModelSpec? _spec;
    private float[] _weights = [];
    private ServerOptimizer? _optimizer;
    // The optimizer's state after the last committed round: only what the database holds (replaced on commit).
    private ServerOptimizerState? _optimizerState;
    private RoundSummary? _lastRound;
    private RoundTask? _openRound;
    private RoundAttempt? _openAttempt;
    private IReadOnlyList<RoundAttempt> _unsettled = [];
    private int _openSelected;
    private int _openReported;
    private SessionPrivacy? _privacy;
    // The next round's clip norm (adaptive clipping: derived from the ledger, RoundClipNorm; otherwise the plan's).
    private double _clipNorm;
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
        // Stored with its defaults filled in, so the session's status shows the optimizer in force.
        definition = definition with { ServerOptimizer = (definition.ServerOptimizer ?? ServerOptimizerDefinition.Default).WithDefaults() };
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
        var initialSha256 = WeightHash.Sha256Hex(weights);
        var header = SessionLedger.CreateHeader(signer, SessionId, now, plan, definition.ExamplePrivacy, definition.Rounds, initialSha256,
            definition.Privacy?.AuditCommitment);
        await sessions.InsertAsync(record, new Checkpoint(0, weights, initialSha256), header);
        (_record, _spec, _weights) = (record, spec, weights);
        _optimizer = ServerOptimizer.For(definition.ServerOptimizer, definition.ServerLearningRate);
        _optimizerState = _optimizer.Initial(weights.Length);
        _privacy = plan is null ? null : new SessionPrivacy(plan, definition.Rounds, [], header?.ReleaseConsumersAmplified ?? false);
        _clipNorm = plan?.ClipNorm ?? 0;
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
            var message = string.IsNullOrWhiteSpace(reason) ? "Stopped by an operator." : reason;
            StopTicker();
            if (_openRound is not null && _openAttempt is { } open)
            {
                await RoundGrain(_openRound.Round).Cancel();
                _openRound = null;
                // A private attempt was charged when it opened: its round commits unchanged, the last entry of the ledger.
                await SettleAsync(open, "the session was stopped", SessionState.Stopped, message, CancellationToken.None);
            }
            if (_record!.State is SessionState.Created or SessionState.Running)
            {
                await SetStateAsync(SessionState.Stopped, message);
            }
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

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        _reloadNeeded = false;
        _openRound = null;
        _openAttempt = null;
        _record = await sessions.FindAsync(SessionId, cancellationToken);
        if (_record is null)
        {
            return;
        }
        _spec = ModelSpecMapping.ToSpec(_record.Definition.Model);
        _ledgerHeader = await ledger.LoadHeaderAsync(SessionId, cancellationToken);
        var entries = _ledgerHeader is null ? [] : await ledger.LoadEntriesAsync(SessionId, cancellationToken);
        _privacy = _record.Privacy is { } plan
            ? new SessionPrivacy(plan, _record.Definition.Rounds, entries, _ledgerHeader?.ReleaseConsumersAmplified ?? false)
            : null;
        _clipNorm = _record.Privacy is { } resolved ? RoundClipNorm.After(resolved, entries.Count == 0 ? null : entries[^1]) : 0;
        _exampleEpsilonReported = entries.Max(e => e.ExampleEpsilonMax);
        var checkpoint = await sessions.FindCheckpointAsync(SessionId, null, cancellationToken)
            ?? throw new InvalidDataException($"Session '{SessionId}' has no initial model.");
        if (checkpoint.Round != _record.CompletedRounds)
        {
            throw new InvalidDataException(
                $"Session '{SessionId}' has {_record.CompletedRounds} committed rounds but its latest checkpoint is round {checkpoint.Round}.");
        }
        _weights = checkpoint.Weights;
        (_optimizer, _optimizerState) = await LoadOptimizerAsync(_record.Definition, checkpoint.Round, cancellationToken);
        var rounds = await sessions.ListRoundsAsync(SessionId, null, cancellationToken);
        _lastRound = rounds.LastOrDefault(r => r.Outcome == RoundOutcome.Committed);
        // Attempts that opened and never closed were lost (a crash, a failed step): the ticker settles them before
        // anything else. Attempt numbers come from the database, which has seen every attempt ever opened.
        _unsettled = await attempts.ListUnsettledAsync(SessionId, cancellationToken);
        _attempts = await attempts.LastAttemptAsync(SessionId, _record.CompletedRounds + 1, cancellationToken);
        _version++;
    }

    /// <summary>
    /// The session's server optimizer and its state as committed with round <paramref name="round"/>'s checkpoint (the
    /// initial state before round 1). A stateful optimizer whose committed state is missing or does not fit the model
    /// refuses to load: resuming from a reset momentum would silently be another training run.
    /// </summary>
    private async Task<(ServerOptimizer, ServerOptimizerState)> LoadOptimizerAsync(SessionDefinition definition, int round, CancellationToken cancellationToken)
    {
        var optimizer = ServerOptimizer.For(definition.ServerOptimizer, definition.ServerLearningRate);
        if (!optimizer.IsStateful || round == 0)
        {
            return (optimizer, optimizer.Initial(_weights.Length));
        }
        var state = await sessions.FindOptimizerStateAsync(SessionId, round, cancellationToken)
            ?? throw new InvalidDataException($"Session '{SessionId}' has no server optimizer state for its committed round {round}.");
        optimizer.Validate(state, _weights.Length);
        return (optimizer, state);
    }

    private async Task SetStateAsync(SessionState state, string? message)
    {
        var record = RequireRecord();
        await sessions.UpdateStateAsync(SessionId, state, message);
        _record = record with { State = state, Message = message, UpdatedAt = time.GetUtcNow() };
        // A live progress note ("… Retrying.") would hide the state's own message: a failed session must say why it failed.
        _progressMessage = null;
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

    /// <summary>The plan the next round runs with: with adaptive clipping, the session's plan at that round's clip norm.</summary>
    private PrivacyPlan? RoundPrivacy() => _privacy is null ? null : RoundClipNorm.ForRound(_privacy.Plan, _clipNorm);

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
            _privacy is null ? null : new PrivacySummary(RoundPrivacy()!, _privacy.Spent, _privacy.Planned),
            // The signer's own key, never the header's: whoever can write the database could re-sign the ledger under a
            // key of their own and have it published here (issue 9, item 10).
            _ledgerHeader is null ? null : signer.PublicKey,
            _exampleEpsilonReported,
            _ledgerHeader is null ? null : signer.PublicKeySha256,
            _ledgerHeader is null ? null : signer.ForeignKeyProblem(_ledgerHeader.PublicKey));
    }
}
