namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>Checks an update's shape and values before it may touch the aggregate.</summary>
public static class UpdateValidator
{
    /// <summary>
    /// Shape, values and claimed weight: as many values as the model has parameters, all finite, and a num_examples in
    /// [1, the session's maximum] (a claim of 2^62 examples must not make one update the whole average). With the "reject"
    /// norm policy an update above the session's L2 bound is refused too; with "clip" it is scaled down when aggregated.
    /// </summary>
    /// <returns>Null when the update is acceptable, otherwise why it is not.</returns>
    public static string? Problem(ModelUpdate update, int expectedParameterCount, RobustnessDefinition? limits = null)
    {
        if (update.Delta is null || update.Delta.Length != expectedParameterCount)
        {
            return $"the update has {update.Delta?.Length ?? 0} values; the model has {expectedParameterCount} parameters";
        }
        if (update.NumExamples <= 0)
        {
            return "num_examples must be positive";
        }
        if (limits is not null && update.NumExamples > limits.MaxExamplesPerParticipant)
        {
            return $"num_examples {update.NumExamples} exceeds the session's max_examples_per_participant of {limits.MaxExamplesPerParticipant}";
        }
        var span = update.Delta.AsSpan();
        if (UpdateNorm.FirstNonFinite(span) is var bad and >= 0)
        {
            return $"the update contains a non-finite value (NaN or infinity) at index {bad}";
        }
        if (limits?.UpdateNormPolicy == RobustnessDefinition.Reject && UpdateNorm.L2(span) is var norm && !(norm <= limits.MaxUpdateNorm))
        {
            return FormattableString.Invariant(
                $"the update's L2 norm {norm:G4} exceeds the session's max_update_norm of {limits.MaxUpdateNorm:G4}");
        }
        return null;
    }

    /// <summary>
    /// Adaptive clipping's report (participant.proto UpdateHeader.clip_report): required, and one of −1, 0, +1, exactly when
    /// the round adapts its clip norm; refused otherwise, so no value outside the charged sensitivity reaches the count.
    /// </summary>
    /// <returns>Null when the report (or its absence) is right for the round, otherwise why not.</returns>
    public static string? ClipReportProblem(int? clipReport, PrivacyPlan? privacy) =>
        (privacy?.AdaptiveClipping is not null, clipReport) switch
        {
            (true, null) => "the round adapts its clip norm: the update must carry clip_report (+1 within clip_norm, −1 above, 0 for the zero update)",
            (true, not (-1 or 0 or 1)) => $"clip_report must be −1, 0 or +1; got {clipReport}",
            (false, not null) => "clip_report is only for rounds that adapt their clip norm (privacy.adaptive_clipping); leave it unset",
            _ => null,
        };

    /// <summary>
    /// A participant's locally measured metrics are published (weighted mean train loss), so they are bounded like updates:
    /// a finite loss in [0, <see cref="MaxReportedLoss"/>] and a num_examples in [1, the session's maximum].
    /// </summary>
    /// <returns>Null when the report may be used, otherwise why it is dropped.</returns>
    public static string? MetricsProblem(LocalMetricsReport report, RobustnessDefinition limits)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(limits);
        if (!(report.TrainLoss is >= 0 and <= MaxReportedLoss))
        {
            return FormattableString.Invariant($"train_loss {report.TrainLoss:G4} is not a number in [0, {MaxReportedLoss:G4}]");
        }
        if (!(report.TrainAccuracy is >= 0 and <= 1))
        {
            return FormattableString.Invariant($"train_accuracy {report.TrainAccuracy:G4} is not in [0, 1]");
        }
        if (report.NumExamples < 1 || report.NumExamples > limits.MaxExamplesPerParticipant)
        {
            return $"num_examples {report.NumExamples} is not between 1 and the session's max_examples_per_participant of {limits.MaxExamplesPerParticipant}";
        }
        return null;
    }

    /// <summary>A cross-entropy far beyond any model worth averaging (ln of float32's range is about 88 per example).</summary>
    public const double MaxReportedLoss = 1e4;

    /// <summary>
    /// The example-level ε a participant reports with its upload: required, finite, ≥ 0 and within the budget when the
    /// session declares the example level (a participant over its budget must not have trained); absent otherwise.
    /// </summary>
    /// <returns>Null when the report is acceptable, otherwise why it is not.</returns>
    public static string? ExampleEpsilonProblem(double? reported, ExamplePrivacyDefinition? example) => (reported, example) switch
    {
        (null, null) => null,
        (not null, null) => "the session declares no example-level guarantee, yet the upload reports an example-level epsilon",
        (null, not null) => "the session declares an example-level guarantee; the upload must report this participant's example-level epsilon",
        ({ } e, _) when !double.IsFinite(e) || e < 0 || double.IsNegative(e) => $"the reported example-level epsilon {e} is not a finite number >= 0",
        ({ } e, { } d) when e > d.EpsilonBudget => $"the reported example-level epsilon {e:G6} exceeds the session's example-level budget {d.EpsilonBudget:G6}",
        _ => null,
    };
}
