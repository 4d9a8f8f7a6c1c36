using FedLearn.Coordinator.Grains.Optimization;
using FedLearn.Coordinator.Grains.Persistence;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Grains.Telemetry;
using FedLearn.Ledger;
using FedLearn.Training;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// The round lifecycle. A session with participant-level privacy never redraws (D2, docs/threat-model.md): every Poisson
/// draw is one charged step, fixed and recorded in PostgreSQL before any task is pushed; a draw below the minimum, an
/// attempt with too few updates or survivors, a secure-aggregation abort, a lost attempt and a commit that failed after
/// the release all commit the round with the model unchanged and a ledger entry charging the step. Sessions without it
/// retry with a new attempt number. Attempt numbers are handed out by the database and never reused (D3).
/// </summary>
public sealed partial class SessionGrain
{
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
            if (_unsettled.Count > 0)
            {
                await SettleLostAttemptsAsync(cancellationToken);
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
                // The round grain lost the attempt (it was deactivated or the silo restarted).
                var lost = _openAttempt!;
                _openRound = null;
                await SettleAsync(lost, "the round grain lost the attempt (it was deactivated or the silo restarted)", null, null, cancellationToken);
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
                if (_openRound is null && _record?.State == SessionState.Running && _unsettled.Count == 0)
                {
                    // The next round opens now, not on the next tick: no fixed wait between rounds (issue 11).
                    await OpenRoundAsync();
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Typically the database is unreachable. The state is reloaded from the database before the next tick; an
            // attempt that had opened and not closed is then settled as lost — a private one commits its round unchanged.
            LogTickFailed(e, SessionId);
            _progressMessage = $"Retrying after an error: {e.Message}";
            _reloadNeeded = true;
            _version++;
        }
    }

    /// <summary>The smallest draw a round opens with; a private draw below it commits unchanged, and is sent nothing.</summary>
    private int MinimumCohort(SessionDefinition definition) =>
        // A sum over two participants tells each of them the other's update: secure aggregation needs at least three.
        _privacy?.Plan.SecureAggregation == true
            ? Math.Max(SecureAggregationPlanner.MinimumCohort, definition.MinParticipants)
            : definition.MinParticipants;

    private async Task OpenRoundAsync()
    {
        var record = RequireRecord();
        var definition = record.Definition;
        var round = record.CompletedRounds + 1;
        var minimum = MinimumCohort(definition);
        // N (who is connected) is public under zero-out adjacency (D1): waiting on it reveals nothing about anyone's data.
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
        if (_privacy?.Plan.SecureAggregation == true && _ledgerHeader is { RecordsColluderBound: false } old)
        {
            // Review-10 S2: rounds now credit s_min − c(n) shares; this ledger's version credits s_min − ⌊ρ·n⌋, and its entries
            // cannot record (nor its verifiers derive) the new rule. Nothing is drawn; the session stops before another round.
            await SetStateAsync(SessionState.Failed,
                $"Round {round} refused: this secure session's ledger (accounting version {old.AccountingVersion ?? 1}) assumes at most ⌊ρ·n⌋ colluders per cohort, " +
                $"which no adversary is held to; it cannot continue under accounting version {LedgerAccountingVersions.ColluderBoundInDelta}. Create a new session.");
            StopTicker();
            return;
        }
        var roundPrivacy = RoundPrivacy();
        var draw = RoundDraw.Draw(available, roundPrivacy, definition.ParticipantsPerRound, minimum, _weights.Length);
        var selected = draw.Selected;
        if (_privacy is { } privacy && await Task.Run(() => privacy.RefuseNextStep(draw.Charge!.NoiseMultiplier)) is { } refusal)
        {
            // Nothing was sent and nothing is released: the drawn cohort is discarded with the session.
            await SetStateAsync(refusal.OverBudget ? SessionState.BudgetExhausted : SessionState.Failed,
                $"Round {round} refused: {refusal.Reason}; the session stops after {record.CompletedRounds} rounds with ε = {privacy.Spent:G4}.");
            StopTicker();
            return;
        }
        // Durable before any task is pushed: the attempt's number (never handed out again) and, when private, its charge.
        using var trace = CoordinatorTelemetry.StartRoundOpening(SessionId, round);
        var openedAt = time.GetUtcNow();
        var attempt = await attempts.OpenAsync(SessionId, round, openedAt, selected.Count, draw.Charge);
        _attempts = attempt;
        trace?.SetTag("attempt", attempt);
        LogOpened(SessionId, round, attempt);
        var opened = new RoundAttempt(round, attempt, openedAt, selected.Count, draw.Charge) { TraceParent = trace?.Id };
        if (draw.UndersizedReason is { } undersized)
        {
            var reason = $"Poisson sampling (q = {_privacy!.Plan.SamplingRate:G3}) selected {selected.Count} of {available.Count} connected participants; {undersized}";
            await SettleAsync(opened, reason, null, null, CancellationToken.None);
            return;
        }
        var task = new RoundTask(
            SessionId, round, attempt, definition.Model, definition.LocalEpochs, definition.BatchSize, definition.LearningRate,
            _weights.Length, WeightHash.Sha256Hex(_weights), time.GetUtcNow().AddSeconds(definition.RoundDeadlineSeconds),
            roundPrivacy, minimum, _privacy?.Spent ?? 0, draw.SecureAggregation, definition.ExamplePrivacy, definition.Rounds,
            _ledgerHeader is null ? "" : signer.PublicKeySha256, definition.ProximalMu, trace?.Id ?? "");
        List<string> ids = [.. selected.Select(p => p.ParticipantId)];
        await RoundGrain(round).Begin(new RoundPlan(task, ids, minimum, _weights, definition.Robustness, available.Count));
        (_openRound, _openAttempt, _openSelected, _openReported, _progressMessage) = (task, opened, selected.Count, 0, null);
        _version++;
        // In a secure round each participant learns its own index in the cohort (and nothing of the others' identities).
        var secure = draw.SecureAggregation;
        // At most MaxConcurrentPushes pushes in flight: thousands at once would flood the silo's queues (issue 11); the
        // downloads they trigger are admitted by the coordinator's data plane in turn.
        await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count), new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentPushes, TaskScheduler = TaskScheduler.Current },
            async (index, _) => await GrainFactory.GetGrain<IParticipantGrain>(ids[index])
                .Assign(secure is null ? task : task with { SecureAggregation = secure with { Index = index } }));
    }

    private async Task CloseRoundAsync(RoundTask task, RoundResult result, CancellationToken cancellationToken)
    {
        var open = _openAttempt!;
        if (result.Aborted)
        {
            LogAborted(SessionId, task.Round, task.Attempt, result.AbortReason ?? "aborted");
            _openRound = null;
            await SettleAsync(open, result.AbortReason ?? "aborted", null, null, cancellationToken, result);
            return;
        }
        var delta = result.AverageDelta ?? throw new InvalidOperationException("A closed round that did not abort released no aggregate.");
        // The server optimizer post-processes the released aggregate (no privacy cost); its new state commits with the model.
        var step = _optimizer!.Step(_weights, delta, _optimizerState!);
        // One charge per attempt, fixed when it opened (D5): the ledger's ε for release consumers and its worst case against
        // the coordinator both compose it, and each participant computes the same σ from its task for its own figure, so
        // that figure can never exceed the ledger's worst case. In secure mode it is the noise of the s_min survivors'
        // certainly honest shares, which the released sum never falls below (s ≥ s_min is enforced before unmasking).
        var charge = open.Charge ?? (result.Noise is { } noise ? new AttemptCharge(noise.NoiseMultiplier, noise.Sensitivity) : null);
        await CommitAsync(open, result.ParticipantsSelected, result.ParticipantsAggregated, result.ExamplesAggregated, result.TrainLoss,
            step.Weights, step.State, charge, result.ExampleEpsilonMax, result.StartedAt, null, null, null, cancellationToken, result.NoisyUnclippedCount);
    }

    /// <summary>Settles the attempts a crash or a failed step left without an outcome, oldest first.</summary>
    private async Task SettleLostAttemptsAsync(CancellationToken cancellationToken)
    {
        foreach (var lost in _unsettled)
        {
            await SettleAsync(lost, "the attempt was lost (the coordinator restarted or a step failed before it closed)", null, null, cancellationToken);
            _unsettled = [.. _unsettled.Skip(1)];
        }
    }

    /// <summary>
    /// An attempt ended without releasing an aggregate. In a private session its round commits now with the model
    /// unchanged, charged as fixed at opening; otherwise the attempt is recorded as aborted and the round retried.
    /// </summary>
    private async Task SettleAsync(
        RoundAttempt attempt, string reason, SessionState? finalState, string? finalMessage, CancellationToken cancellationToken, RoundResult? result = null)
    {
        var record = RequireRecord();
        if (attempt.Charge is not null && attempt.Round == record.CompletedRounds + 1)
        {
            await RoundGrain(attempt.Round).Cancel();
            // Nothing entered the model; reports received before the abort still bound the example level.
            var exampleEpsilon = result?.ExampleEpsilonMax ?? _exampleEpsilonReported ?? 0;
            await CommitAsync(attempt, attempt.ParticipantsSelected, 0, 0, double.NaN, _weights, _optimizerState!, attempt.Charge, exampleEpsilon,
                attempt.OpenedAt, $"committed unchanged: {reason}", finalState, finalMessage, cancellationToken);
            return;
        }
        var now = time.GetUtcNow();
        var aborted = new RoundSummary(attempt.Round, attempt.Attempt, RoundOutcome.Aborted, attempt.ParticipantsSelected,
            result?.ParticipantsAggregated ?? 0, result?.ExamplesAggregated ?? 0, result?.TrainLoss ?? double.NaN, double.NaN, double.NaN, null,
            attempt.OpenedAt, result?.ClosedAt ?? now);
        await sessions.RecordAbortedRoundAsync(SessionId, aborted, reason, cancellationToken);
        if (finalState is null)
        {
            SetProgressMessage($"Round {attempt.Round} attempt {attempt.Attempt} aborted: {reason}. Retrying.");
        }
    }

    /// <summary>
    /// Commits a round in one transaction: checkpoint, server optimizer state, round record, session progress and the sealed
    /// ledger entry. With <paramref name="unchangedReason"/> the weights and optimizer state are the current ones (no step
    /// was taken: nothing was aggregated).
    /// </summary>
    private async Task CommitAsync(
        RoundAttempt attempt, int selected, int aggregated, long examples, double trainLoss, float[] weights,
        ServerOptimizerState optimizerState, AttemptCharge? charge,
        double? exampleEpsilonMax, DateTimeOffset startedAt, string? unchangedReason, SessionState? finalState, string? finalMessage,
        CancellationToken cancellationToken, double? noisyUnclippedCount = null)
    {
        var record = RequireRecord();
        var evaluation = await evaluator.EvaluateAsync(_spec!, weights, cancellationToken);
        var summary = new RoundSummary(attempt.Round, attempt.Attempt, RoundOutcome.Committed, selected, aggregated, examples, trainLoss,
            evaluation?.Loss ?? double.NaN, evaluation?.Accuracy ?? double.NaN, WeightHash.Sha256Hex(weights), startedAt, time.GetUtcNow());
        var finished = attempt.Round >= record.Definition.Rounds;
        var state = finalState ?? (finished ? SessionState.Completed : SessionState.Running);
        var message = finalState is null ? finished ? $"Completed all {record.Definition.Rounds} rounds." : null : finalMessage;
        var (ledgerEntry, epsilonSpent) = await DraftLedgerEntryAsync(summary, charge, exampleEpsilonMax, noisyUnclippedCount);
        await sessions.CommitRoundAsync(new RoundCommit(SessionId, summary, weights, state, message, ledgerEntry, unchangedReason,
            _optimizer!.IsStateful ? optimizerState : null, attempt.TraceParent), cancellationToken);
        if (charge is not null)
        {
            _privacy?.RecordCommitted(charge.NoiseMultiplier, epsilonSpent, ledgerEntry?.SamplerTvDistance ?? 0, ledgerEntry?.ColluderTailProbability ?? 0);
        }
        _exampleEpsilonReported = Max(_exampleEpsilonReported, ledgerEntry?.ExampleEpsilonMax);
        if (_privacy is { } committed)
        {
            // Adaptive clipping: the next C from this round's released count only (a round that released none keeps C).
            _clipNorm = RoundClipNorm.After(committed.Plan, _clipNorm, ledgerEntry?.NoisyUnclippedCount, aggregated);
        }

        // Only what the database now holds becomes the grain's state.
        _record = record with { CompletedRounds = attempt.Round, State = state, Message = message, UpdatedAt = summary.CompletedAt };
        (_weights, _optimizerState, _lastRound, _openRound, _openAttempt, _attempts) = (weights, optimizerState, summary, null, null, 0);
        _progressMessage = unchangedReason is null || state != SessionState.Running ? null : $"Round {attempt.Round} {unchangedReason}.";
        _version++;
        LogCommitted(SessionId, attempt.Round, summary.ParticipantsAggregated, summary.TestAccuracy);
        if (state != SessionState.Running)
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
        RoundSummary summary, AttemptCharge? attemptCharge, double? exampleEpsilonMax, double? noisyUnclippedCount)
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
            var step = attemptCharge ?? throw new InvalidOperationException($"Round {summary.Round} of a private session carries no privacy charge.");
            var (rdp, pld) = await Task.Run(() => privacy.EpsilonsWithNextRound(step.NoiseMultiplier));
            // The round's plan: with adaptive clipping the clip norm it ran with, which the entry records.
            var plan = RoundPrivacy()!;
            charge = new ParticipantLevelCharge(plan, step.NoiseMultiplier, step.Sensitivity, rdp, pld,
                NoisyUnclippedCount: summary.ParticipantsAggregated > 0 ? noisyUnclippedCount : null);
            if (header.RecordsEpsilonAgainstCoordinator)
            {
                var (coordinatorRdp, coordinatorPld) = await Task.Run(() => privacy.EpsilonsAgainstCoordinatorWithNextRound(step.NoiseMultiplier));
                charge = charge with { EpsilonAgainstCoordinatorRdp = coordinatorRdp, EpsilonAgainstCoordinatorPld = coordinatorPld };
            }
            // What the sensitivity, σ and η are derived from, as the attempt computed them from its own plan when it opened
            // (review-10 S8d); rebuilt only for an attempt recorded before attempts stored them.
            var minimum = MinimumCohort(RequireRecord().Definition);
            var inputs = step.Inputs is not null || step.SamplerDistance is not null
                ? step.Inputs
                : AttemptCharges.LegacyInputs(plan, _weights!.Length, summary.ParticipantsSelected, minimum);
            if (!header.RecordsColluderBound && inputs is not null)
            {
                inputs = inputs with { AssumedColluders = null, ColluderTailProbability = null };
            }
            if (header.RecordsSamplerResidue)
            {
                // The samplers' distance from exact discrete Gaussian noise, and (accounting version 6) the chance δ_c that the
                // cohort held more colluders than assumed, paid in δ (docs/ledger.md, delta_total).
                var distance = step.SamplerDistance ?? AttemptCharges.LegacySamplerDistance(plan, _weights!.Length, summary.ParticipantsSelected, minimum);
                var colluderTail = inputs?.ColluderTailProbability ?? 0;
                charge = charge with
                {
                    SamplerTvDistance = distance,
                    DeltaTotal = privacy.DeltaTotalWithNextRound(distance, colluderTail, charge.EpsilonRdp, charge.EpsilonPld),
                    DeltaTotalAgainstCoordinator = charge.EpsilonAgainstCoordinatorRdp is { } cr && charge.EpsilonAgainstCoordinatorPld is { } cp
                        ? privacy.DeltaTotalWithNextRound(distance, colluderTail, cr, cp)
                        : null,
                };
            }
            if (header.RecordsNoiseInputs)
            {
                // So an auditor re-derives the sensitivity, σ and η above (docs/ledger.md, "Noise inputs").
                charge = charge with { Inputs = inputs };
            }
        }
        var entry = SessionLedger.Draft(SessionId, summary, time.GetUtcNow(), charge,
            header.ExampleLevel is null ? null : exampleEpsilonMax);
        return (entry, charge is null ? 0 : charge.Plan.Accountant == "pld" ? charge.EpsilonPld : charge.EpsilonRdp);
    }
}
