namespace FedLearn.Privacy.Audit;

/// <summary>
/// Canary i's direction: a unit vector drawn uniformly on the sphere of the model's dimension d (a standard normal vector,
/// normalised), from the audit's seed. Andrew et al. 2024, "One-shot Empirical Privacy Estimation for Federated Learning",
/// §3: independent isotropic canaries are nearly orthogonal to each other and to any fixed update in high dimension, which
/// is what makes their cosines with the released model independent measurements. Canaries 0..K−1 take part in training;
/// canaries K..K+K′−1 are "unseen": drawn the same way, never inserted, they measure the null distribution.
/// </summary>
public static class CanaryDirections
{
    public static double[] Direction(ReadOnlySpan<byte> seed, int index, int dimension)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 2);
        using var random = new AuditRandom(seed, "canary-direction", index);
        var direction = new double[dimension];
        double squared = 0;
        for (var i = 0; i < dimension; i++)
        {
            direction[i] = random.NextGaussian();
            squared += direction[i] * direction[i];
        }
        var norm = Math.Sqrt(squared);
        for (var i = 0; i < dimension; i++)
        {
            direction[i] /= norm;
        }
        return direction;
    }

    /// <summary>The update a canary participant sends: its direction scaled to the clip norm C (norm ≤ C after float rounding).</summary>
    public static float[] Update(ReadOnlySpan<byte> seed, int index, int dimension, double clipNorm)
    {
        if (!(clipNorm > 0) || !double.IsFinite(clipNorm))
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "The clip norm must be a finite number > 0.");
        }
        var direction = Direction(seed, index, dimension);
        // A hair under C, so float rounding never takes it over the clip norm and clipping leaves it as it is.
        var scale = clipNorm * (1 - 1e-6);
        return [.. direction.Select(v => (float)(v * scale))];
    }

    /// <summary>cos(a, b) = ⟨a, b⟩ / (‖a‖‖b‖); NaN when b is the zero vector (a round that left the model unchanged).</summary>
    public static double Cosine(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException($"Vectors of {a.Length} and {b.Length} values have no cosine.", nameof(b));
        }
        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            aa += a[i] * a[i];
            bb += b[i] * b[i];
        }
        return aa > 0 && bb > 0 ? dot / Math.Sqrt(aa * bb) : double.NaN;
    }
}
