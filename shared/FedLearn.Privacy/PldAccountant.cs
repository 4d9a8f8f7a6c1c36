using FedLearn.Privacy.Pld;

namespace FedLearn.Privacy;

/// <summary>
/// Privacy-loss-distribution accountant for Poisson-subsampled Gaussian rounds (add-or-remove-one adjacency),
/// modelled on Google dp_accounting's <c>PLDAccountant</c>: pessimistic connect-the-dots discretisation
/// (Doroshenko et al. 2022), FFT composition (Koskela et al. 2020), both adjacency directions, worst one reported.
/// </summary>
/// <remarks>
/// The grid starts at <see cref="ValueDiscretizationInterval"/> and is doubled only when a PLD would not fit in
/// memory (extreme σ ≪ 1 or very many rounds, where ε is huge anyway); a coarser grid is still pessimistic.
/// Rounds with q = 1 are merged into one exact Gaussian (see <see cref="GaussianPrivacy"/>).
/// </remarks>
public sealed class PldAccountant : IPrivacyAccountant
{
    public const double DefaultValueDiscretizationInterval = 1e-4;

    // 2^20 complex doubles = 16 MiB per FFT buffer (one per direction); one transform of this size takes
    // ~25 ms, and larger windows are cheaper to handle by doubling the grid interval.
    private const int MaxFftLength = 1 << 20;

    // Each point of a single-round PLD costs one hockey-stick evaluation (a few erfc calls).
    private const long MaxSingleRoundPoints = 1 << 20;

    public PldAccountant(double valueDiscretizationInterval = DefaultValueDiscretizationInterval)
    {
        if (!(valueDiscretizationInterval > 0) || !double.IsFinite(valueDiscretizationInterval))
        {
            throw new ArgumentOutOfRangeException(
                nameof(valueDiscretizationInterval), valueDiscretizationInterval, "The discretisation interval must be a finite number > 0.");
        }

        ValueDiscretizationInterval = valueDiscretizationInterval;
    }

    public string Name => "pld";

    /// <summary>Requested spacing of the privacy-loss grid (smaller is tighter and slower).</summary>
    public double ValueDiscretizationInterval { get; }

    public double GetEpsilon(IReadOnlyList<SubsampledGaussianStep> steps, double delta)
    {
        AccountantArguments.ValidateDelta(delta);
        var groups = StepGroup.From(steps);
        if (groups.Count == 0)
        {
            return 0.0;
        }

        if (groups.All(g => g.SamplingRate >= 1.0))
        {
            var exact = GaussianPrivacy.Epsilon(GaussianMu(groups), delta);
            return double.IsNaN(exact) ? double.PositiveInfinity : exact;
        }

        var (remove, add) = ComposeBothDirections(groups);
        var epsilon = Math.Max(remove.GetEpsilon(delta), add.GetEpsilon(delta));
        return double.IsNaN(epsilon) ? double.PositiveInfinity : epsilon; // fail closed: a NaN must never pass `ε > budget`
    }

    public double GetDelta(IReadOnlyList<SubsampledGaussianStep> steps, double epsilon)
    {
        AccountantArguments.ValidateEpsilon(epsilon);
        var groups = StepGroup.From(steps);
        if (groups.Count == 0)
        {
            return 0.0;
        }

        if (groups.All(g => g.SamplingRate >= 1.0))
        {
            return GaussianPrivacy.Delta(GaussianMu(groups), epsilon);
        }

        var (remove, add) = ComposeBothDirections(groups);
        var delta = Math.Max(remove.GetDelta(epsilon), add.GetDelta(epsilon));
        return double.IsNaN(delta) ? 1.0 : delta;
    }

    /// <summary>μ = sqrt(Σ k/σ²) of the q = 1 rounds, i.e. one Gaussian with noise 1/μ.</summary>
    private static double GaussianMu(IEnumerable<StepGroup> groups) =>
        Math.Sqrt(groups.Where(g => g.SamplingRate >= 1.0).Sum(g => g.Count / (g.NoiseMultiplier * g.NoiseMultiplier)));

    private (PrivacyLossPmf Remove, PrivacyLossPmf Add) ComposeBothDirections(IReadOnlyList<StepGroup> groups)
    {
        var mechanisms = new List<(double Sigma, double Q, long Count)>();
        var mu = GaussianMu(groups);
        if (mu > 0)
        {
            mechanisms.Add((1.0 / mu, 1.0, 1));
        }

        mechanisms.AddRange(groups.Where(g => g.SamplingRate < 1.0).Select(g => (g.NoiseMultiplier, g.SamplingRate, g.Count)));

        for (var interval = InitialInterval(mechanisms); ; interval *= 2)
        {
            // The two directions are independent; run them side by side.
            var removeTask = Task.Run(() => Compose(mechanisms, AdjacencyDirection.Remove, interval));
            var add = Compose(mechanisms, AdjacencyDirection.Add, interval);
            var remove = removeTask.GetAwaiter().GetResult();
            if (remove is not null && add is not null)
            {
                return (remove, add);
            }
        }
    }

    /// <summary>Smallest power-of-two multiple of the requested interval at which every single-round PLD fits.</summary>
    private double InitialInterval(IEnumerable<(double Sigma, double Q, long Count)> mechanisms)
    {
        var widest = 0.0;
        foreach (var (sigma, q, _) in mechanisms)
        {
            foreach (var direction in new[] { AdjacencyDirection.Remove, AdjacencyDirection.Add })
            {
                var (lower, upper) = new SubsampledGaussianPrivacyLoss(sigma, q, direction).EpsilonBounds();
                widest = Math.Max(widest, upper - lower);
            }
        }

        var interval = ValueDiscretizationInterval;
        while (widest / interval > MaxSingleRoundPoints)
        {
            interval *= 2;
        }

        return interval;
    }

    private static PrivacyLossPmf? Compose(
        IEnumerable<(double Sigma, double Q, long Count)> mechanisms, AdjacencyDirection direction, double interval)
    {
        var parts = mechanisms
            .Select(m => (ConnectTheDots.Discretize(new SubsampledGaussianPrivacyLoss(m.Sigma, m.Q, direction), interval), m.Count))
            .ToArray();
        return FourierComposer.Compose(parts, MaxFftLength);
    }
}
