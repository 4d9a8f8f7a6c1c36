namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>Checks an update's shape and values before it may touch the aggregate.</summary>
public static class UpdateValidator
{
    /// <returns>Null when the update is well formed, otherwise why it is not.</returns>
    public static string? Problem(ModelUpdate update, int expectedParameterCount)
    {
        if (update.Delta is null || update.Delta.Length != expectedParameterCount)
        {
            return $"the update has {update.Delta?.Length ?? 0} values; the model has {expectedParameterCount} parameters";
        }
        if (update.NumExamples <= 0)
        {
            return "num_examples must be positive";
        }
        var span = update.Delta.AsSpan();
        for (var i = 0; i < span.Length; i++)
        {
            if (!float.IsFinite(span[i]))
            {
                return $"the update contains a non-finite value (NaN or infinity) at index {i}";
            }
        }
        return null;
    }

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
