namespace FedLearn.Privacy.Audit;

/// <summary>
/// A canary's two test statistics from the released models θ₀ (initial), θ₁ … θ_T (every committed round), after Andrew
/// et al. 2024, "One-shot Empirical Privacy Estimation for Federated Learning": against an adversary who sees only the
/// final model, cos(c, θ_T − θ₀) (§3, Algorithm 2); against one who sees every iterate, the largest cos(c, θ_t − θ_{t−1})
/// over the rounds (§5, "all iterates"). Rounds that left the model unchanged (a private round committed empty) carry no
/// information and are skipped.
/// </summary>
public static class CanaryScoring
{
    /// <summary>The canary's final-model and all-iterates scores.</summary>
    public static (double FinalModel, double AllIterates) Score(ReadOnlySpan<byte> seed, int index, IReadOnlyList<float[]> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        if (models.Count < 2)
        {
            throw new ArgumentException("An audit needs the initial model and at least one committed round.", nameof(models));
        }
        var dimension = models[0].Length;
        var direction = CanaryDirections.Direction(seed, index, dimension);
        var final = CanaryDirections.Cosine(direction, Delta(models[^1], models[0]));
        var best = double.NaN;
        for (var t = 1; t < models.Count; t++)
        {
            var cosine = CanaryDirections.Cosine(direction, Delta(models[t], models[t - 1]));
            if (!double.IsNaN(cosine) && !(cosine <= best))
            {
                best = cosine;
            }
        }
        if (double.IsNaN(final) || double.IsNaN(best))
        {
            throw new InvalidOperationException("The released models never changed: there is nothing to audit.");
        }
        return (final, best);
    }

    /// <summary>How many rounds changed the model: the number of iterates the all-iterates statistic takes its maximum over.</summary>
    public static int ChangedRounds(IReadOnlyList<float[]> models)
    {
        ArgumentNullException.ThrowIfNull(models);
        var changed = 0;
        for (var t = 1; t < models.Count; t++)
        {
            if (!models[t].AsSpan().SequenceEqual(models[t - 1]))
            {
                changed++;
            }
        }
        return changed;
    }

    private static double[] Delta(float[] after, float[] before)
    {
        if (after.Length != before.Length)
        {
            throw new ArgumentException($"Models of {after.Length} and {before.Length} parameters cannot be compared.", nameof(after));
        }
        var delta = new double[after.Length];
        for (var i = 0; i < delta.Length; i++)
        {
            delta[i] = (double)after[i] - before[i];
        }
        return delta;
    }
}
