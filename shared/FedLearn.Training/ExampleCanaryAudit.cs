using System.Security.Cryptography;
using FedLearn.Privacy;
using FedLearn.Privacy.Audit;

namespace FedLearn.Training;

/// <summary>
/// The example-level audit of DP-SGD with one training run (Steinke, Nasr &amp; Jagielski 2023; docs/audit.md, "Example-level
/// audit"). m canary records (features uniform in [−1, 1], a uniform label; from the operating system's CSPRNG) are added
/// to the data owner's dataset, and each is included independently with probability ½: an excluded canary stays in the
/// dataset as its zero-out neighbour (<see cref="DpSgdTrainer.ZeroedRecords"/>), so N, q and the sampling do not depend on
/// the inclusions. One DP-SGD run from θ₀ gives θ_T. Canary i's score is the alignment of its clipped gradient at θ₀ with
/// the model's move, ⟨clip_C(∇ℓ_i(θ₀)), θ₀ − θ_T⟩: DP-SGD steps against the gradients of the records it sampled, so an
/// included canary's score is pushed up. The k₊ highest are guessed in, the k₋ lowest out (<see cref="OneRunGuesses"/>),
/// and the count of correct guesses gives ε_lower (<see cref="OneRunBound"/>), set beside the accountant's ε for the run.
/// </summary>
public static class ExampleCanaryAudit
{
    public static ExampleAuditResult Run(
        DpSgdTrainer trainer, float[] initialWeights, Dataset data, DpSgdOptions training, ExampleAuditOptions audit, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(trainer);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(audit);
        audit.Validate();
        training.Validate();
        var m = audit.Canaries;
        var quiet = QuietFeatures(data);
        var (features, labels) = (new float[m * data.FeatureSize], new int[m]);
        var bytes = RandomNumberGenerator.GetBytes(m * quiet.Length * sizeof(uint));
        for (var i = 0; i < m; i++)
        {
            for (var k = 0; k < quiet.Length; k++)
            {
                // 24 random bits → uniform on [−1, 1): exactly representable in float32.
                var word = BitConverter.ToUInt32(bytes, (i * quiet.Length + k) * sizeof(uint));
                features[i * data.FeatureSize + quiet[k]] = (float)((word >> 8) / (double)(1 << 23) - 1);
            }
        }
        var included = new bool[m];
        for (var i = 0; i < m; i++)
        {
            labels[i] = RandomNumberGenerator.GetInt32(data.NumClasses);
            included[i] = RandomNumberGenerator.GetInt32(2) == 1;
        }

        // The canaries' clipped gradients at θ₀, before training.
        var d = trainer.Spec.ParameterCount;
        var gradients = new float[m][];
        var oneHot = new float[data.NumClasses];
        for (var i = 0; i < m; i++)
        {
            ct.ThrowIfCancellationRequested();
            Array.Clear(oneHot);
            oneHot[labels[i]] = 1;
            gradients[i] = new float[d];
            trainer.ComputeClippedGradientSum(initialWeights, features.AsSpan(i * data.FeatureSize, data.FeatureSize), oneHot, 1,
                (float)training.ClipNorm, gradients[i], [], out _);
        }

        var combined = new Dataset([.. data.Features, .. features], [.. data.Labels, .. labels], data.FeatureSize, data.NumClasses);
        var weights = (float[])initialWeights.Clone();
        trainer.ZeroedRecords = Enumerable.Range(0, m).Where(i => !included[i]).Select(i => data.Count + i).ToHashSet();
        DpTrainingResult result;
        try
        {
            result = trainer.Train(weights, combined, training, null, ct);
        }
        finally
        {
            trainer.ZeroedRecords = null;
        }

        // Only the first layer's weights: a canary's gradient there lives in the quiet features' rows, which the real
        // records (zero or nearly so in those features) barely move; biases and later layers are shared with every record.
        var firstLayer = trainer.Spec.Parameters[0].Size;
        var scores = new double[m];
        for (var i = 0; i < m; i++)
        {
            double alignment = 0;
            for (var j = 0; j < firstLayer; j++)
            {
                alignment += (double)gradients[i][j] * (initialWeights[j] - weights[j]);
            }
            scores[i] = alignment;
        }
        // Training on the real records moves the model the same way for every canary of one label (their gradients share
        // the label's bias and output row), so each score is taken relative to the mean of its label's canaries. A function
        // of θ_T and the public canaries only, so the guesses stay a post-processing of the run (Theorem 5.2 still applies).
        var centred = new double[m];
        foreach (var group in Enumerable.Range(0, m).GroupBy(i => labels[i]))
        {
            var mean = group.Average(i => scores[i]);
            foreach (var i in group)
            {
                centred[i] = scores[i] - mean;
            }
        }
        scores = centred;
        var (guesses, correct) = OneRunGuesses.Count(scores, included, audit.GuessesIncluded, audit.GuessesExcluded);
        var lower = OneRunBound.EpsilonLowerBound(m, guesses, correct, audit.Delta, audit.Confidence);
        var bound = DpSgdAccounting.Epsilon(result, audit.Delta, audit.Accountant);
        return new ExampleAuditResult(m, included.Count(x => x), guesses, correct, audit.Confidence, audit.Delta, lower, bound,
            !(lower <= bound), result, scores, included);
    }

    /// <summary>
    /// The eighth of the features (at least one) with the smallest largest absolute value over the data owner's records
    /// (ties: the smaller mean, then the index): where the canaries put their random values, so that their first-layer
    /// gradients barely overlap the real records' (an input of 0 contributes nothing to a weight's gradient). Chosen from
    /// the data, not from the canaries' inclusion, so it does not affect the bound.
    /// </summary>
    private static int[] QuietFeatures(Dataset data)
    {
        var (largest, mean) = (new double[data.FeatureSize], new double[data.FeatureSize]);
        for (var r = 0; r < data.Count; r++)
        {
            var row = data.Row(r);
            for (var f = 0; f < row.Length; f++)
            {
                largest[f] = Math.Max(largest[f], Math.Abs(row[f]));
                mean[f] += Math.Abs(row[f]) / data.Count;
            }
        }
        return [.. Enumerable.Range(0, data.FeatureSize).OrderBy(f => largest[f]).ThenBy(f => mean[f]).ThenBy(f => f)
            .Take(Math.Max(1, data.FeatureSize / 8)).Order()];
    }
}

/// <summary>
/// The audit's settings, fixed before training: m canaries, the guesses k₊ ("included") and k₋ ("excluded"), the confidence
/// of the lower bound, the δ both ε figures are stated at, and the accountant of ε_bound.
/// </summary>
public sealed record ExampleAuditOptions(
    int Canaries, int GuessesIncluded, int GuessesExcluded, double Confidence, double Delta, AccountantKind Accountant = AccountantKind.Rdp)
{
    public const int MaxCanaries = 100_000;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting (NaN refused).</summary>
    public void Validate()
    {
        if (Canaries is < 2 or > MaxCanaries)
        {
            throw new ArgumentException($"canaries must be 2 to {MaxCanaries}; got {Canaries}.", nameof(Canaries));
        }
        if (GuessesIncluded < 0 || GuessesExcluded < 0 || GuessesIncluded + GuessesExcluded is 0 || GuessesIncluded + GuessesExcluded > Canaries)
        {
            throw new ArgumentException($"the guesses k₊ and k₋ must be ≥ 0 with 1 ≤ k₊ + k₋ ≤ {Canaries}; got {GuessesIncluded} and {GuessesExcluded}.", nameof(GuessesIncluded));
        }
        if (!(Confidence is >= 0.5 and < 1))
        {
            throw new ArgumentException($"confidence must be in [0.5, 1); got {Confidence}.", nameof(Confidence));
        }
        if (!(Delta is > 0 and < 1))
        {
            throw new ArgumentException($"delta must be in (0, 1); got {Delta}.", nameof(Delta));
        }
    }
}

/// <summary>
/// What the example-level audit found: r guesses, v right, ε_lower at the confidence, ε_bound (the accountant's ε for the
/// run at δ), whether ε_lower exceeds it (<see cref="Flagged"/>), the training run, and each canary's score and inclusion.
/// </summary>
public sealed record ExampleAuditResult(
    int Canaries, int Included, int Guesses, int Correct, double Confidence, double Delta, double EpsilonLower, double EpsilonBound,
    bool Flagged, DpTrainingResult Training, IReadOnlyList<double> Scores, IReadOnlyList<bool> IncludedFlags);
