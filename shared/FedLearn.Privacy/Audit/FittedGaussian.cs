namespace FedLearn.Privacy.Audit;

/// <summary>A normal distribution N(Mean, Std²) fitted to scores (sample mean and the n−1 standard deviation).</summary>
public readonly record struct FittedGaussian(double Mean, double Std)
{
    public static FittedGaussian Fit(IReadOnlyList<double> scores)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Count < 2)
        {
            throw new ArgumentException($"A Gaussian needs at least 2 scores to fit; got {scores.Count}.", nameof(scores));
        }
        if (scores.Any(s => !double.IsFinite(s)))
        {
            throw new ArgumentException("Every score must be a finite number.", nameof(scores));
        }
        var mean = scores.Average();
        var variance = scores.Sum(s => (s - mean) * (s - mean)) / (scores.Count - 1);
        return new(mean, Math.Sqrt(variance));
    }
}
