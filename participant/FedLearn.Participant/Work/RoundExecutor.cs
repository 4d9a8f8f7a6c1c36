using System.Diagnostics;
using System.Numerics.Tensors;
using FedLearn.Participant.Encoding;
using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Participant.Telemetry;
using FedLearn.Privacy;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using FedLearn.Training;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using ModelSpec = FedLearn.Training.ModelSpec;

namespace FedLearn.Participant.Work;

/// <summary>
/// Carries out one round task: check the round against the local privacy policy, download the global model and check its
/// hash, train on the local data, run the encoders over the update, record the spend, report local metrics, upload the
/// update. Only the encoded update and metrics leave the machine. The daemon runs one per process; a simulation runs one per
/// virtual participant, all sharing one <see cref="RoundResources"/> (trainers, model-sized buffers, the tally), so both
/// run this same code.
/// </summary>
/// <param name="guard">The local privacy policy; null runs under <see cref="ParticipantPolicy.Permissive"/>.</param>
/// <param name="spendLog">Where attempts trained for are recorded; null keeps them in memory only (tests).</param>
/// <param name="fixedUpdate">An audit canary's update for a model of the given parameter count (docs/audit.md), sent instead
/// of training on local data; every other step (policy, spend, clip, secure aggregation, upload) is the same. Null trains.</param>
/// <param name="resources">Shared with other participants in this process; null gives this one its own (one training at
/// a time on <see cref="ParticipantSettings.TrainingThreads"/> threads), disposed with it.</param>
public sealed partial class RoundExecutor(
    ParticipantSettings settings,
    Dataset data,
    IReadOnlyList<IUpdateEncoder> encoders,
    ILogger<RoundExecutor> logger,
    PolicyGuard? guard = null,
    SpendLog? spendLog = null,
    Func<int, float[]>? fixedUpdate = null,
    RoundResources? resources = null) : IDisposable
{
    private readonly List<SpendRecord> _unloggedSpends = [];
    private TrainedUpdate? _trained;
    private readonly PolicyGuard _guard = guard ?? new PolicyGuard(ParticipantPolicy.Permissive, settings.ParticipantId);
    private readonly RoundResources? _owned = resources is null ? RoundResources.ForOneParticipant(settings.TrainingThreads) : null;

    public RoundResources Resources => resources ?? _owned!;

    public async Task ExecuteAsync(ParticipantService.ParticipantServiceClient client, RoundTask task, CancellationToken ct)
    {
        // Current for the whole task: its calls and log lines carry the attempt's trace context.
        using var span = ParticipantTelemetry.StartTask(task);
        Resources.Tally.TaskReceived();
        var records = spendLog?.ReadAll() ?? [.. _unloggedSpends];
        var history = records.Where(r => r.ParticipantId == settings.ParticipantId && r.SessionId == task.SessionId).ToList();
        var repeats = history.Count(r => r.Round == task.Round && r.Attempt == task.Attempt);
        if (repeats > 0)
        {
            // Attempt numbers are never reused (D3): the coordinator sent an attempt this participant already trained for.
            // It is spent again, like any attempt, and the spend log counts the repeat (fedlearn-participant spent).
            LogRepeatedAttempt(task.SessionId, task.Round, task.Attempt, repeats);
        }
        var decision = _guard.Check(task, records);
        if (!decision.Accept)
        {
            // Sitting the round out is enough: the coordinator's deadline closes it without this update.
            LogDeclined(task.SessionId, task.Round, task.Attempt, decision.Reason);
            Resources.Tally.TaskDeclined();
            return;
        }
        LogAccepted(task.SessionId, task.Round, decision.Reason);

        var deadline = task.Deadline.ToDateTime();
        var spec = ModelSpec.Parse(task.Model.Kind, task.Model.InputSize, task.Model.NumClasses, task.Model.HiddenSizes, task.Model.Activation);
        spec.Validate();
        if (spec.InputSize != data.FeatureSize || data.NumClasses > spec.NumClasses)
        {
            throw new InvalidDataException(
                $"The local data has {data.FeatureSize} features and {data.NumClasses} classes; the session's model expects {spec.InputSize} and {spec.NumClasses}.");
        }

        if (task.ExamplePrivacy is not null && task.Training.ProximalMu != 0)
        {
            // DP-SGD does not apply FedProx's proximal term yet (the coordinator refuses such sessions): training without it
            // would silently be another algorithm.
            LogDeclined(task.SessionId, task.Round, task.Attempt, "the task asks for FedProx (proximal_mu) with DP-SGD, which is not supported");
            Resources.Tally.TaskDeclined();
            return;
        }

        // Example-level DP: this participant's own accountant decides, from its dataset size and every attempt it trained for.
        // A rerun of an attempt it already trained for, on the same model, sends that result again and spends nothing more.
        var resent = fixedUpdate is null && _trained is { } trained && trained.Fits(task) ? trained : null;
        ExampleSpend? example = null;
        if (resent is not null)
        {
            example = ExampleLevelAccounting.Resent(resent.Spend, history);
        }
        else if (task.ExamplePrivacy is { } examplePrivacy)
        {
            try
            {
                example = ExampleLevelAccounting.Project(examplePrivacy, data.Count, spec.ParameterCount, task.Training.LocalEpochs, task.PlannedRounds, history);
            }
            catch (ArgumentException e)
            {
                LogDeclined(task.SessionId, task.Round, task.Attempt, $"the example-level accounting refused the round: {e.Message}");
                Resources.Tally.TaskDeclined();
                return;
            }
            if (!(example.Epsilon <= example.EpsilonBudget))
            {
                LogDeclined(task.SessionId, task.Round, task.Attempt, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the example-level budget: DP-SGD on the local records would reach ε = {example.Epsilon:G4}, above {example.EpsilonBudget:G4}"));
                Resources.Tally.TaskDeclined();
                return;
            }
            if (!(example.DeltaTotal < 1))
            {
                LogDeclined(task.SessionId, task.Round, task.Attempt, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"the example-level guarantee would be void: the noise sampler's residue takes δ to {example.DeltaTotal:G4}"));
                Resources.Tally.TaskDeclined();
                return;
            }
        }

        // Secure rounds exchange keys first: those stages close early, before anyone could have finished training.
        using var secure = task.SecureAggregation is null ? null : new SecureAggregationClient(client, settings, task);
        if (secure is not null)
        {
            await secure.ShareKeysAsync(ct);
        }

        if (task.ParameterCount != spec.ParameterCount)
        {
            throw new InvalidDataException($"The task announces {task.ParameterCount} parameters; its model has {spec.ParameterCount}.");
        }

        // From the download to the upload this task holds model-sized buffers: they come with a slot of the shared
        // resources, so a process running many participants holds a bounded number of them whatever the cohort.
        using var slot = await Resources.AcquireAsync(spec.ParameterCount, deadline, ct);
        var update = slot.Update;
        var stopwatch = Stopwatch.StartNew();
        TrainingResult result;
        if (resent is not null)
        {
            LogResending(task.SessionId, task.Round, task.Attempt, resent.Round, resent.Attempt);
            resent.Update.CopyTo(update, 0);
            result = resent.Result;
        }
        else
        {
            var global = await DownloadAsync(client, task, slot.Global, deadline, ct);
            LogTask(task.SessionId, task.Round, task.Attempt, data.Count, task.Training.LocalEpochs);
            var local = slot.Local;
            global.CopyTo(local, 0);
            result = fixedUpdate is not null ? new TrainingResult(0, 0, 0, 0)
                : example is null
                ? await TrainAsync(spec, local, task, ct)
                : await TrainWithDpSgdAsync(spec, local, task, example, ct);
            TensorPrimitives.Subtract(local, global, update);
            update = fixedUpdate?.Invoke(update.Length) ?? update;
        }
        stopwatch.Stop();
        // Kept before any encoder runs: a rerun clips, noises and masks it afresh as its own participant-level release.
        var trainedNow = resent is null && fixedUpdate is null && example is not null ? TrainedUpdate.Of(task, update, result, example) : null;
        // Adaptive clipping: whether the update before clipping is within the round's C (+1), above it (−1) or zero (0).
        int? clipReport = task.Privacy?.AdaptiveClipping is null ? null : AdaptiveClipping.Report(ClipEncoder.L2Norm(update), task.Privacy.ClipNorm);
        var context = new RoundContext(settings.ParticipantId, task, data.Count);
        foreach (var encoder in encoders)
        {
            update = encoder.Encode(update, context);
        }

        // Recorded before the metrics, which are computed from the local data too, and before the update leave.
        RecordSpend(task, decision, example);
        _trained = trainedNow ?? _trained;

        if (secure is not null)
        {
            var masked = await secure.UploadMaskedInputAsync(update, example?.Epsilon, clipReport, ct);
            // Unmasking waits for the other survivors' inputs: it must not hold buffers (or a slot) they may be waiting for.
            slot.Dispose();
            if (masked.Accepted)
            {
                await secure.UnmaskAsync(ct);
            }
            Report(task, masked, result, stopwatch.Elapsed);
            return;
        }
        if (task.Privacy is null && task.ExamplePrivacy is null)
        {
            // Local loss and accuracy are statistics of the private data: only a round without privacy reports them.
            await client.ReportMetricsAsync(new LocalMetrics
            {
                ParticipantId = settings.ParticipantId,
                SessionId = task.SessionId,
                Round = task.Round,
                TrainLoss = result.MeanLoss,
                TrainAccuracy = result.Accuracy,
                NumExamples = data.Count,
                TrainSeconds = stopwatch.Elapsed.TotalSeconds,
            }, deadline: deadline, cancellationToken: ct);
        }
        Report(task, await UploadAsync(client, task, update, example?.Epsilon, clipReport, deadline, ct), result, stopwatch.Elapsed);
    }

    private Task<TrainingResult> TrainAsync(ModelSpec spec, float[] weights, RoundTask task, CancellationToken ct)
    {
        // FedProx's μ (0: plain SGD); the anchor is the downloaded model, the weights training starts from.
        var options = new TrainingOptions(task.Training.LocalEpochs, task.Training.BatchSize, task.Training.LearningRate, task.Training.ProximalMu);
        return Resources.Trainers.TrainAsync(spec, weights, data, options, ct);
    }

    /// <summary>DP-SGD with the σ and expected batch the example-level accounting settled on for this round.</summary>
    private async Task<TrainingResult> TrainWithDpSgdAsync(ModelSpec spec, float[] weights, RoundTask task, ExampleSpend example, CancellationToken ct)
    {
        var options = new DpSgdOptions(task.Training.LocalEpochs, task.ExamplePrivacy.ExpectedBatchSize, task.Training.LearningRate,
            example.ClipNorm, example.NoiseMultiplier);
        var result = await Resources.Trainers.TrainWithDpSgdAsync(spec, weights, data, options, ct);
        if (result.Steps != example.Steps)
        {
            throw new InvalidOperationException($"DP-SGD took {result.Steps} steps; {example.Steps} were accounted for.");
        }
        return new TrainingResult(result.MeanLoss, result.Accuracy, result.ExamplesSeen, result.Steps);
    }

    private void RecordSpend(RoundTask task, PolicyDecision decision, ExampleSpend? example)
    {
        if (spendLog is not null)
        {
            spendLog.Append(task, settings.ParticipantId, decision, example);
        }
        else
        {
            _unloggedSpends.Add(SpendLog.Record(DateTimeOffset.UtcNow, task, settings.ParticipantId, decision, example));
        }
    }

    private void Report(RoundTask task, UploadUpdateReply reply, TrainingResult result, TimeSpan trainingTime)
    {
        Resources.Tally.UpdateAnswered(reply.Accepted);
        if (reply.Accepted)
        {
            LogUploaded(task.SessionId, task.Round, result.MeanLoss, result.Accuracy, trainingTime.TotalSeconds);
        }
        else
        {
            LogRefused(task.SessionId, task.Round, reply.Reason);
        }
    }

    public void Dispose() => _owned?.Dispose();

    /// <summary>Downloads the round's model into <paramref name="buffer"/> (the task's length) and checks its SHA-256.</summary>
    private async Task<float[]> DownloadAsync(
        ParticipantService.ParticipantServiceClient client, RoundTask task, float[] buffer, DateTime deadline, CancellationToken ct)
    {
        using var call = client.DownloadModel(new DownloadModelRequest
        {
            ParticipantId = settings.ParticipantId,
            SessionId = task.SessionId,
            Round = task.Round,
        }, deadline: deadline, cancellationToken: ct);
        TensorChunking.Assembler? assembler = null;
        await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
        {
            if (chunk.ParameterCount != task.ParameterCount)
            {
                throw new InvalidDataException($"The coordinator sent a model of {chunk.ParameterCount} parameters; the task announced {task.ParameterCount}.");
            }
            assembler ??= new TensorChunking.Assembler(buffer);
            assembler.Add(chunk.Chunk);
        }
        var weights = (assembler ?? throw new InvalidDataException("The coordinator sent an empty model.")).ToArray();
        var sha256 = WeightHash.Sha256Hex(weights);
        if (!string.Equals(sha256, task.ModelSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"The downloaded model's SHA-256 {sha256} does not match the task's {task.ModelSha256}.");
        }
        return weights;
    }

    private async Task<UploadUpdateReply> UploadAsync(
        ParticipantService.ParticipantServiceClient client, RoundTask task, float[] update, double? exampleEpsilon, int? clipReport, DateTime deadline,
        CancellationToken ct)
    {
        using var call = client.UploadUpdate(deadline: deadline, cancellationToken: ct);
        var header = Uploads.Header(settings.ParticipantId, task, update.Length, data.Count, exampleEpsilon);
        if (clipReport is { } report)
        {
            header.ClipReport = report;
        }
        return await Uploads.SendAsync(call, header, update, ct);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} round {Round} attempt {Attempt}: declined by the local privacy policy: {Reason}")]
    private partial void LogDeclined(string sessionId, int round, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} round {Round} attempt {Attempt}: the coordinator reused an attempt this participant already trained for ({Times} time(s) before); it counts again")]
    private partial void LogRepeatedAttempt(string sessionId, int round, int attempt, int times);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} round {Round}: privacy check passed: {Reason}")]
    private partial void LogAccepted(string sessionId, int round, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} round {Round} (attempt {Attempt}): training on {Examples} local examples for {Epochs} epochs")]
    private partial void LogTask(string sessionId, int round, int attempt, int examples, int epochs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} round {Round} (attempt {Attempt}): sending again the DP-SGD update trained for round {TrainedRound} attempt {TrainedAttempt} on the same model; no new example-level spend")]
    private partial void LogResending(string sessionId, int round, int attempt, int trainedRound, int trainedAttempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Session {SessionId} round {Round}: update accepted (local loss {Loss:F4}, accuracy {Accuracy:P1}, {Seconds:F1} s)")]
    private partial void LogUploaded(string sessionId, int round, double loss, double accuracy, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Session {SessionId} round {Round}: the coordinator refused the update: {Reason}")]
    private partial void LogRefused(string sessionId, int round, string reason);
}
