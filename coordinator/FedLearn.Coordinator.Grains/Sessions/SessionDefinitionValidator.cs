using FedLearn.Privacy;
using FedLearn.Privacy.Audit;
using FedLearn.Training;
using FedLearn.Training.Onnx;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>Rejects session definitions that make no sense, naming every problem at once.</summary>
public static class SessionDefinitionValidator
{
    public const int MaxRounds = 100_000;
    public const int MaxDeadlineSeconds = 24 * 3600;

    /// <exception cref="ArgumentException">The definition is invalid; the message lists each problem.</exception>
    public static void Validate(SessionDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(definition.Name) || definition.Name.Length > 200)
        {
            problems.Add("name must be 1 to 200 characters");
        }
        if (definition.Model is null && definition.InitialModelOnnx is null)
        {
            problems.Add("model is required");
        }
        else if (definition.Model is not null)
        {
            try
            {
                ModelSpecMapping.ToSpec(definition.Model);
            }
            catch (ArgumentException e)
            {
                problems.Add($"model: {e.Message}");
            }
        }
        CheckInitialModel(problems, definition);
        Check(problems, definition.Rounds is >= 1 and <= MaxRounds, $"rounds must be between 1 and {MaxRounds}");
        Check(problems, definition.ParticipantsPerRound >= 1, "participants_per_round must be at least 1");
        Check(problems, definition.MinParticipants >= 1 && definition.MinParticipants <= definition.ParticipantsPerRound,
            "min_participants must be between 1 and participants_per_round");
        Check(problems, definition.LocalEpochs is >= 1 and <= 1000, "local_epochs must be between 1 and 1000");
        Check(problems, definition.BatchSize is >= 1 and <= 65_536, "batch_size must be between 1 and 65536");
        Check(problems, double.IsFinite(definition.LearningRate) && definition.LearningRate is > 0 and <= 100,
            "learning_rate must be in (0, 100]");
        Check(problems, double.IsFinite(definition.ServerLearningRate) && definition.ServerLearningRate is > 0 and <= 100,
            "server_learning_rate must be in (0, 100]");
        CheckProximalMu(problems, definition.ProximalMu, definition.LearningRate);
        // DP-SGD does not apply the proximal term yet (docs/architecture.md, "FedProx"): refused rather than ignored.
        Check(problems, definition.ProximalMu == 0 || definition.ExamplePrivacy is null || double.IsNaN(definition.ProximalMu),
            "training.proximal_mu is not supported together with example_privacy (DP-SGD local training); leave it 0");
        if (definition.ServerOptimizer is { } optimizer)
        {
            CheckServerOptimizer(problems, optimizer);
        }
        Check(problems, definition.RoundDeadlineSeconds is >= 1 and <= MaxDeadlineSeconds,
            $"round_deadline_seconds must be between 1 and {MaxDeadlineSeconds}");
        if (definition.Privacy is { } privacy)
        {
            CheckGaussianBudget(problems, "privacy", privacy.EpsilonBudget, privacy.Delta, privacy.Accountant, privacy.NoiseMultiplier,
                privacy.AdaptiveClipping is { InitialClipNorm: not 0 } adaptiveStart && privacy.ClipNorm == 0 ? adaptiveStart.InitialClipNorm : privacy.ClipNorm);
            if (privacy.AdaptiveClipping is { } adaptive)
            {
                CheckAdaptiveClipping(problems, privacy, adaptive);
            }
            Check(problems, privacy.SamplingRate is > 0 and <= 1, "privacy.sampling_rate must be in (0, 1]");
            // Above one half a SecAgg+ graph fails anyway, and full SecAgg's threshold already exceeds half the cohort.
            Check(problems, privacy.DropoutAllowance is null or (>= 0 and <= 0.5), "privacy.dropout_allowance must be in [0, 0.5]");
            Check(problems, !(privacy.CentralNoise && privacy.DropoutAllowance is not null),
                "privacy.dropout_allowance applies to secure aggregation only; a session with central_noise must not set it");
            // Below one half: beyond it the colluders could outnumber the honest in a typical cohort.
            Check(problems, privacy.ColluderFraction is null or (>= 0 and < 0.5), "privacy.colluder_fraction must be in [0, 0.5)");
            Check(problems, !(privacy.CentralNoise && privacy.ColluderFraction is not null),
                "privacy.colluder_fraction applies to secure aggregation only; a session with central_noise must not set it");
            Check(problems, privacy.AuditCommitment is null || privacy.AuditCommitment.Length == AuditCommitment.Bytes,
                $"privacy.audit_commitment must be {AuditCommitment.Bytes} bytes (a SHA-256)");
            // The canaries run in the auditor's process: in secure aggregation their noise shares would count as honest
            // and understate ε against the coordinator (docs/audit.md), so an audited session uses central noise.
            Check(problems, privacy.AuditCommitment is null || privacy.CentralNoise,
                "privacy.audit_commitment needs central_noise: with secure aggregation the canaries' noise shares, held by the auditor, would count as honest");
        }
        if (definition.ExamplePrivacy is { } example)
        {
            CheckGaussianBudget(problems, "example_privacy", example.EpsilonBudget, example.Delta, example.Accountant, example.NoiseMultiplier, example.ClipNorm);
            Check(problems, example.ExpectedBatchSize is >= 1 and <= 65_536, "example_privacy.expected_batch_size must be between 1 and 65536");
        }
        if (definition.Robustness is { } robustness)
        {
            CheckRobustness(problems, robustness, definition.Privacy is not null);
        }
        if (problems.Count > 0)
        {
            throw new ArgumentException("Invalid session configuration: " + string.Join("; ", problems) + ".");
        }
    }

    /// <summary>An initial ONNX model must import; a model given next to it must be the same architecture.</summary>
    private static void CheckInitialModel(List<string> problems, SessionDefinition definition)
    {
        if (definition.InitialModelOnnx is not { } onnx)
        {
            return;
        }
        ModelSpec imported;
        try
        {
            imported = OnnxModelImporter.Import(onnx).Spec;
        }
        catch (OnnxImportException e)
        {
            problems.Add($"initial_model_onnx: {e.Message}");
            return;
        }
        ModelSpec given;
        try
        {
            given = definition.Model is null ? imported : ModelSpecMapping.ToSpec(definition.Model);
        }
        catch (ArgumentException)
        {
            return; // Already reported as a model problem.
        }
        // A softmax regression has no hidden layer, so its activation is immaterial.
        var comparable = given.Kind == ModelKind.SoftmaxRegression ? imported with { Activation = given.Activation } : imported;
        Check(problems, given.Equals(comparable), $"model {given} does not match initial_model_onnx, which is {imported}");
    }

    /// <summary>
    /// FedProx's μ (Li et al. 2020, eq. 2): local SGD steps w ← w − lr·(∇F(w) + μ·(w − w_global)), so the proximal part alone
    /// multiplies w − w_global by 1 − lr·μ each step; from lr·μ ≥ 1 on it overshoots the global model instead of pulling
    /// towards it, which no setting of FedProx intends.
    /// </summary>
    private static void CheckProximalMu(List<string> problems, double mu, double learningRate)
    {
        if (!(double.IsFinite(mu) && mu >= 0))
        {
            problems.Add("training.proximal_mu must be a finite number, 0 or more");
        }
        else if (double.IsFinite(learningRate) && !(mu * learningRate < 1))
        {
            problems.Add("training.proximal_mu × training.learning_rate must be below 1 (the proximal step would overshoot the global model)");
        }
    }

    /// <summary>The kind is known; β₁, β₂ in [0, 1) and τ positive, each given only to a kind that uses it (Reddi et al. 2021, Alg. 2).</summary>
    private static void CheckServerOptimizer(List<string> problems, ServerOptimizerDefinition optimizer)
    {
        var kind = string.IsNullOrWhiteSpace(optimizer.Kind) ? ServerOptimizerDefinition.FedAvg : optimizer.Kind.Trim().ToLowerInvariant();
        if (kind is not (ServerOptimizerDefinition.FedAvg or ServerOptimizerDefinition.FedAvgM or ServerOptimizerDefinition.FedAdagrad
            or ServerOptimizerDefinition.FedYogi or ServerOptimizerDefinition.FedAdam))
        {
            problems.Add("server_optimizer.kind must be fedavg, fedavgm, fedadagrad, fedyogi or fedadam");
            return;
        }
        CheckOptional(problems, optimizer.Beta1, ServerOptimizerDefinition.UsesBeta1(kind), kind, "beta1", b => b is >= 0 and < 1, "in [0, 1)");
        CheckOptional(problems, optimizer.Beta2, ServerOptimizerDefinition.UsesBeta2(kind), kind, "beta2", b => b is >= 0 and < 1, "in [0, 1)");
        CheckOptional(problems, optimizer.Tau, ServerOptimizerDefinition.UsesTau(kind), kind, "tau", t => double.IsFinite(t) && t > 0, "a positive number");
    }

    private static void CheckOptional(
        List<string> problems, double? value, bool used, string kind, string field, Func<double, bool> valid, string range)
    {
        if (value is not { } v)
        {
            return;
        }
        if (!used)
        {
            problems.Add($"server_optimizer.{field} does not apply to {kind}; leave it unset");
        }
        else if (!valid(v))
        {
            problems.Add($"server_optimizer.{field} must be {range}");
        }
    }

    /// <summary>Every member of the limits in its documented range (unset ones were filled with defaults at the edge).</summary>
    private static void CheckRobustness(List<string> problems, RobustnessDefinition robustness, bool participantLevelPrivacy)
    {
        var r = robustness.WithDefaults();
        Check(problems, double.IsFinite(r.MaxUpdateNorm) && r.MaxUpdateNorm is > 0 and <= RobustnessDefinition.MaxUpdateNormLimit,
            $"robustness.max_update_norm must be a number in (0, {RobustnessDefinition.MaxUpdateNormLimit:G}]");
        Check(problems, r.UpdateNormPolicy is RobustnessDefinition.Reject or RobustnessDefinition.Clip,
            "robustness.update_norm_policy must be reject or clip");
        Check(problems, r.MaxExamplesPerParticipant is >= 1 and <= RobustnessDefinition.MaxExamplesLimit,
            $"robustness.max_examples_per_participant must be between 1 and {RobustnessDefinition.MaxExamplesLimit}");
        Check(problems, r.Aggregation is RobustnessDefinition.Mean or RobustnessDefinition.Median or RobustnessDefinition.TrimmedMean,
            "robustness.aggregation must be mean, median or trimmed_mean");
        Check(problems, r.TrimFraction is > 0 and < 0.5, "robustness.trim_fraction must be in (0, 0.5)");
        // With participant-level privacy the coordinator may only use the sum of clipped updates (secure aggregation
        // never shows it anything else, and the noise is calibrated to the sum's sensitivity), so no coordinate-wise rule.
        Check(problems, !(participantLevelPrivacy && r.IsRobustAggregation),
            $"robustness.aggregation {r.Aggregation} needs every individual update; a session with privacy aggregates only their clipped sum");
    }

    /// <summary>The fields both privacy levels share: a budget (ε, δ, accountant) spent by a clipped Gaussian mechanism.</summary>
    /// <summary>
    /// Adaptive clipping (Andrew et al. 2021): its own ranges (NaN fails closed), and what it needs of the session: no audit
    /// canaries (sized for a fixed C), one
    /// initial clip norm, and 2σ_b above a given σ, or the count alone would spend more than σ allows.
    /// </summary>
    private static void CheckAdaptiveClipping(List<string> problems, PrivacyDefinition privacy, AdaptiveClippingDefinition adaptive)
    {
        const string section = "privacy.adaptive_clipping";
        var initial = adaptive.InitialClipNorm == 0 ? privacy.ClipNorm : adaptive.InitialClipNorm;
        problems.AddRange(AdaptiveClipping.Problems(adaptive.TargetQuantile, adaptive.LearningRate, initial, adaptive.BitNoiseStddev, section));
        Check(problems, !(adaptive.InitialClipNorm != 0 && privacy.ClipNorm != 0 && adaptive.InitialClipNorm != privacy.ClipNorm),
            $"{section}.initial_clip_norm ({adaptive.InitialClipNorm}) differs from privacy.clip_norm ({privacy.ClipNorm}); set one of them, or both equal");
        Check(problems, privacy.AuditCommitment is null, $"{section} cannot be audited: the canaries are sized for a fixed clip norm (leave privacy.audit_commitment empty)");
        if (privacy.NoiseMultiplier > 0 && adaptive.BitNoiseStddev > 0 && double.IsFinite(adaptive.BitNoiseStddev))
        {
            Check(problems, 2 * adaptive.BitNoiseStddev > privacy.NoiseMultiplier * (1 + 1e-9),
                $"{section}.bit_noise_stddev ({adaptive.BitNoiseStddev}) must exceed half of privacy.noise_multiplier ({privacy.NoiseMultiplier}): " +
                "the sum and the count together are charged that σ, and 2σ_b ≤ σ leaves the sum no budget (Andrew et al. 2021, §3)");
        }
    }

    private static void CheckGaussianBudget(
        List<string> problems, string section, double epsilon, double delta, string? accountant, double noiseMultiplier, double clipNorm)
    {
        Check(problems, double.IsFinite(epsilon) && epsilon > 0, $"{section}.epsilon_budget must be positive");
        Check(problems, delta is > 0 and < 1, $"{section}.delta must be in (0, 1)");
        Check(problems, string.IsNullOrWhiteSpace(accountant) || accountant.Trim().ToLowerInvariant() is "rdp" or "pld",
            $"{section}.accountant must be rdp or pld");
        Check(problems, double.IsFinite(noiseMultiplier) && noiseMultiplier >= 0,
            $"{section}.noise_multiplier must be positive, or 0 to calibrate it from the budget");
        Check(problems, double.IsFinite(clipNorm) && clipNorm > 0, $"{section}.clip_norm must be positive");
    }

    private static void Check(List<string> problems, bool condition, string problem)
    {
        if (!condition)
        {
            problems.Add(problem);
        }
    }
}
