namespace FedLearn.Privacy;

/// <summary>
/// One (or <paramref name="Repetitions"/> identical) round(s) of the Poisson-subsampled Gaussian mechanism:
/// every record joins the round independently with probability <paramref name="SamplingRate"/>, and the clipped
/// sum gets Gaussian noise with standard deviation <paramref name="NoiseMultiplier"/> × sensitivity.
/// </summary>
/// <param name="SamplingRate">Poisson sampling probability q ∈ (0, 1], a normal double (1/q finite).</param>
/// <param name="NoiseMultiplier">Noise standard deviation divided by the L2 sensitivity, within
/// [<see cref="MinNoiseMultiplier"/>, <see cref="MaxNoiseMultiplier"/>].</param>
/// <param name="Repetitions">How many consecutive rounds use these parameters (≥ 1).</param>
public sealed record SubsampledGaussianStep(double SamplingRate, double NoiseMultiplier, int Repetitions = 1)
{
    /// <summary>
    /// The least σ the accountants compute with. Below it the series' exponents (k² − k)/(2σ²) leave double range
    /// (σ ≈ 1e-170 squares to 0 and the RDP became NaN, which a budget check `ε &gt; budget` lets through); one round
    /// at σ = 1e-6 already costs ε in the billions, so nothing usable is refused.
    /// </summary>
    public const double MinNoiseMultiplier = 1e-6;

    /// <summary>
    /// The largest σ the accountants compute with: above it σ² log(1/q − 1) and 1/(2σ²) lose all precision (σ = 1e300
    /// squares to ∞). At σ = 1e8 one round costs ε ≈ 1e-16, i.e. nothing.
    /// </summary>
    public const double MaxNoiseMultiplier = 1e8;

    // Get-only properties (no init) so that neither construction nor a `with` expression can bypass validation:
    // an accountant must never see a step it would silently mis-account.
    public double SamplingRate { get; } = ValidateSamplingRate(SamplingRate);

    public double NoiseMultiplier { get; } = ValidateNoiseMultiplier(NoiseMultiplier);

    public int Repetitions { get; } = ValidateRepetitions(Repetitions);

    private static double ValidateSamplingRate(double q) =>
        q > 0.0 && q <= 1.0 && double.IsNormal(q)
            ? q
            : throw new ArgumentException($"Sampling rate q must be in (0, 1] (and not subnormal); got {q}.", nameof(SamplingRate));

    private static double ValidateNoiseMultiplier(double sigma) =>
        sigma is >= MinNoiseMultiplier and <= MaxNoiseMultiplier
            ? sigma
            : throw new ArgumentException(
                $"Noise multiplier sigma must be a finite number > 0, within [{MinNoiseMultiplier:G}, {MaxNoiseMultiplier:G}]; got {sigma}.",
                nameof(NoiseMultiplier));

    private static int ValidateRepetitions(int repetitions) =>
        repetitions >= 1
            ? repetitions
            : throw new ArgumentException($"Repetitions must be >= 1; got {repetitions}.", nameof(Repetitions));
}
