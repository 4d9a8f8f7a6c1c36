using FedLearn.Coordinator.Grains;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using GrainSessionState = FedLearn.Coordinator.Grains.SessionState;
using ProtoSessionState = FedLearn.Protos.V1.SessionState;

namespace FedLearn.Coordinator.Services;

/// <summary>Maps between generated protobuf types and the grains' records, so neither leaks into the other.</summary>
internal static class ProtoMapping
{
    public static SessionDefinition ToDefinition(SessionConfig config) => new(
        config.Name ?? "",
        config.Model is null
            ? null!
            : new ModelDefinition(config.Model.Kind, config.Model.InputSize, config.Model.NumClasses, [.. config.Model.HiddenSizes], config.Model.Activation),
        config.Rounds,
        config.ParticipantsPerRound,
        config.MinParticipants,
        config.Training?.LocalEpochs ?? 0,
        config.Training?.BatchSize ?? 0,
        config.Training?.LearningRate ?? 0,
        config.ServerLearningRate,
        config.Seed,
        config.RoundDeadlineSeconds,
        config.Privacy is null
            ? null
            : new PrivacyDefinition(config.Privacy.EpsilonBudget, config.Privacy.Delta, config.Privacy.Accountant ?? "",
                config.Privacy.NoiseMultiplier, config.Privacy.ClipNorm, config.Privacy.SamplingRate, config.Privacy.CentralNoise,
                config.Privacy.HasDropoutAllowance ? config.Privacy.DropoutAllowance : null,
                config.Privacy.AuditCommitment.IsEmpty ? null : config.Privacy.AuditCommitment.ToByteArray(),
                config.Privacy.AdaptiveClipping is not { } a
                    ? null
                    : new AdaptiveClippingDefinition(a.TargetQuantile, a.LearningRate, a.InitialClipNorm, a.BitNoiseStddev),
                config.Privacy.HasColluderFraction ? config.Privacy.ColluderFraction : null),
        config.ExamplePrivacy is not { } e
            ? null
            : new ExamplePrivacyDefinition(e.EpsilonBudget, e.Delta, e.Accountant ?? "", e.NoiseMultiplier, e.ClipNorm, e.ExpectedBatchSize),
        InitialModelOnnx: config.InitialModelOnnx.IsEmpty ? null : config.InitialModelOnnx.ToByteArray(),
        Robustness: ToDefinition(config.Robustness),
        ServerOptimizer: config.ServerOptimizer is not { } o
            ? null
            : new ServerOptimizerDefinition(o.Kind ?? "", o.HasBeta1 ? o.Beta1 : null, o.HasBeta2 ? o.Beta2 : null, o.HasTau ? o.Tau : null),
        ProximalMu: config.Training?.ProximalMu ?? 0);

    /// <summary>The limits with their defaults filled in, so a stored session says what it runs with.</summary>
    private static RobustnessDefinition ToDefinition(RobustnessConfig? r) => r is null
        ? RobustnessDefinition.Default
        : new RobustnessDefinition(r.MaxUpdateNorm, r.UpdateNormPolicy ?? "", r.MaxExamplesPerParticipant, r.Aggregation ?? "", r.TrimFraction).WithDefaults();

    public static SessionConfig ToProto(SessionDefinition definition) => new()
    {
        Name = definition.Name,
        Model = ToProto(definition.Model),
        Rounds = definition.Rounds,
        ParticipantsPerRound = definition.ParticipantsPerRound,
        MinParticipants = definition.MinParticipants,
        Training = new LocalTrainingConfig
        {
            LocalEpochs = definition.LocalEpochs,
            BatchSize = definition.BatchSize,
            LearningRate = definition.LearningRate,
            ProximalMu = definition.ProximalMu,
        },
        ServerLearningRate = definition.ServerLearningRate,
        Seed = definition.Seed,
        RoundDeadlineSeconds = definition.RoundDeadlineSeconds,
        Privacy = definition.Privacy is not { } p ? null : ToProto(p),
        ExamplePrivacy = definition.ExamplePrivacy is null ? null : ToProto(definition.ExamplePrivacy),
        Robustness = ToProto(definition.Robustness ?? RobustnessDefinition.Default),
        ServerOptimizer = ToProto((definition.ServerOptimizer ?? ServerOptimizerDefinition.Default).WithDefaults()),
    };

    private static ServerOptimizerConfig ToProto(ServerOptimizerDefinition o)
    {
        var config = new ServerOptimizerConfig { Kind = o.Kind };
        if (o.Beta1 is { } beta1)
        {
            config.Beta1 = beta1;
        }
        if (o.Beta2 is { } beta2)
        {
            config.Beta2 = beta2;
        }
        if (o.Tau is { } tau)
        {
            config.Tau = tau;
        }
        return config;
    }

    private static PrivacyConfig ToProto(PrivacyDefinition p)
    {
        var config = new PrivacyConfig
        {
            EpsilonBudget = p.EpsilonBudget,
            Delta = p.Delta,
            Accountant = p.Accountant,
            NoiseMultiplier = p.NoiseMultiplier,
            ClipNorm = p.ClipNorm,
            SamplingRate = p.SamplingRate,
            CentralNoise = p.CentralNoise,
        };
        if (p.DropoutAllowance is { } allowance)
        {
            config.DropoutAllowance = allowance;
        }
        if (p.ColluderFraction is { } colluders)
        {
            config.ColluderFraction = colluders;
        }
        if (p.AuditCommitment is { } commitment)
        {
            config.AuditCommitment = Google.Protobuf.ByteString.CopyFrom(commitment);
        }
        if (p.AdaptiveClipping is { } adaptive)
        {
            config.AdaptiveClipping = new AdaptiveClippingConfig
            {
                TargetQuantile = adaptive.TargetQuantile,
                LearningRate = adaptive.LearningRate,
                InitialClipNorm = adaptive.InitialClipNorm,
                BitNoiseStddev = adaptive.BitNoiseStddev,
            };
        }
        return config;
    }

    public static RobustnessConfig ToProto(RobustnessDefinition r) => new()
    {
        MaxUpdateNorm = r.MaxUpdateNorm,
        UpdateNormPolicy = r.UpdateNormPolicy,
        MaxExamplesPerParticipant = r.MaxExamplesPerParticipant,
        Aggregation = r.Aggregation,
        TrimFraction = r.TrimFraction,
    };

    public static ExamplePrivacyParameters ToProto(ExamplePrivacyDefinition e) => new()
    {
        EpsilonBudget = e.EpsilonBudget,
        Delta = e.Delta,
        Accountant = string.IsNullOrWhiteSpace(e.Accountant) ? "rdp" : e.Accountant,
        NoiseMultiplier = e.NoiseMultiplier,
        ClipNorm = e.ClipNorm,
        ExpectedBatchSize = e.ExpectedBatchSize,
    };

    public static PrivacyParameters ToProto(PrivacyPlan plan) => new()
    {
        Mechanism = plan.Mechanism,
        SamplingRate = plan.SamplingRate,
        NoiseMultiplier = plan.NoiseMultiplier,
        ClipNorm = plan.ClipNorm,
        EpsilonBudget = plan.EpsilonBudget,
        Delta = plan.Delta,
        Accountant = plan.Accountant,
        SecureAggregation = plan.SecureAggregation,
        DropoutAllowance = plan.DropoutAllowance,
        AdaptiveClipping = plan.AdaptiveClipping is not { } a ? null : new AdaptiveClippingParameters
        {
            TargetQuantile = a.TargetQuantile,
            LearningRate = a.LearningRate,
            BitNoiseStddev = a.BitNoiseStddev,
            InitialClipNorm = a.InitialClipNorm,
            UpdateNoiseMultiplier = a.UpdateNoiseMultiplier,
            ReportNoiseVariance = checked((ulong)a.ReportNoiseVariance),
        },
        ColluderFraction = plan.ColluderFraction,
    };

    public static ModelSpec ToProto(ModelDefinition model)
    {
        var spec = new ModelSpec { Kind = model.Kind, InputSize = model.InputSize, NumClasses = model.NumClasses, Activation = model.Activation ?? "" };
        spec.HiddenSizes.AddRange(model.HiddenSizes);
        return spec;
    }

    public static SessionStatus ToProto(SessionSnapshot snapshot)
    {
        var status = new SessionStatus
        {
            SessionId = snapshot.SessionId,
            Name = snapshot.Definition.Name,
            State = ToProto(snapshot.State),
            CompletedRounds = snapshot.CompletedRounds,
            TotalRounds = snapshot.Definition.Rounds,
            CurrentRound = snapshot.CurrentRound,
            CurrentAttempt = snapshot.CurrentAttempt,
            CurrentSelected = snapshot.CurrentSelected,
            CurrentReported = snapshot.CurrentReported,
            LastRound = snapshot.LastRound is null ? null : ToProto(snapshot.LastRound),
            Message = snapshot.Message ?? "",
            Config = ToProto(snapshot.Definition),
            CreatedAt = Timestamp.FromDateTimeOffset(snapshot.CreatedAt),
            UpdatedAt = Timestamp.FromDateTimeOffset(snapshot.UpdatedAt),
            Privacy = snapshot.Privacy is not { } privacy ? null : new PrivacyStatus
            {
                Parameters = ToProto(privacy.Plan),
                EpsilonSpent = privacy.EpsilonSpent,
                EpsilonPlanned = privacy.EpsilonPlanned,
            },
            LedgerPublicKey = snapshot.LedgerPublicKey ?? "",
            LedgerKeySha256 = snapshot.LedgerKeySha256 ?? "",
            LedgerKeyProblem = snapshot.LedgerKeyProblem ?? "",
        };
        if (snapshot.ExampleEpsilonReported is { } reported)
        {
            status.ExampleEpsilonReported = reported;
        }
        return status;
    }

    public static RoundDetails ToProto(RoundSummary round) => new()
    {
        Round = round.Round,
        Attempt = round.Attempt,
        Outcome = round.Outcome == RoundOutcome.Committed ? "committed" : "aborted",
        ParticipantsSelected = round.ParticipantsSelected,
        ParticipantsAggregated = round.ParticipantsAggregated,
        ExamplesAggregated = round.ExamplesAggregated,
        TrainLoss = round.TrainLoss,
        TestLoss = round.TestLoss,
        TestAccuracy = round.TestAccuracy,
        CheckpointSha256 = round.CheckpointSha256 ?? "",
        StartedAt = Timestamp.FromDateTimeOffset(round.StartedAt),
        CompletedAt = Timestamp.FromDateTimeOffset(round.CompletedAt),
    };

    public static Protos.V1.RoundTask ToProto(Grains.RoundTask task) => new()
    {
        SessionId = task.SessionId,
        Round = task.Round,
        Attempt = task.Attempt,
        Model = ToProto(task.Model),
        Training = new LocalTrainingConfig
        {
            LocalEpochs = task.LocalEpochs, BatchSize = task.BatchSize, LearningRate = task.LearningRate, ProximalMu = task.ProximalMu,
        },
        ParameterCount = task.ParameterCount,
        ModelSha256 = task.ModelSha256,
        Deadline = Timestamp.FromDateTimeOffset(task.Deadline),
        Privacy = task.Privacy is null ? null : ToProto(task.Privacy),
        MinParticipants = task.MinParticipants,
        EpsilonSpent = task.EpsilonSpent,
        ExamplePrivacy = task.ExamplePrivacy is null ? null : ToProto(task.ExamplePrivacy),
        PlannedRounds = task.PlannedRounds,
        LedgerKeySha256 = task.LedgerKeySha256,
        Traceparent = task.TraceParent,
        SecureAggregation = task.SecureAggregation is not { } s ? null : new SecureAggregationSetup
        {
            Index = s.Index,
            Participants = s.Participants,
            Neighbors = s.Neighbors,
            Threshold = s.Threshold,
            RoundId = ByteString.CopyFrom(s.RoundId),
            GraphSeed = ByteString.CopyFrom(s.GraphSeed),
            Gamma = s.Gamma,
            Rotate = s.Rotate,
            RotationSeed = ByteString.CopyFrom(s.RotationSeed),
            GridNoiseVariance = s.GridNoiseVariance,
            MinimumSurvivors = s.MinimumSurvivors,
        },
    };

    public static ProtoSessionState ToProto(GrainSessionState state) => state switch
    {
        GrainSessionState.Created => ProtoSessionState.Created,
        GrainSessionState.Running => ProtoSessionState.Running,
        GrainSessionState.Completed => ProtoSessionState.Completed,
        GrainSessionState.BudgetExhausted => ProtoSessionState.BudgetExhausted,
        GrainSessionState.Failed => ProtoSessionState.Failed,
        GrainSessionState.Stopped => ProtoSessionState.Stopped,
        _ => ProtoSessionState.Unspecified,
    };
}
