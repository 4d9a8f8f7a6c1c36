namespace FedLearn.Privacy.Audit;

/// <summary>
/// The auditor's guesses in one-run auditing (Steinke, Nasr &amp; Jagielski 2023, §3, Algorithm 1): rank the m canaries by
/// score, guess "included" for the k₊ highest, "excluded" for the k₋ lowest, abstain on the rest, and count the correct
/// guesses. k₊ and k₋ must be fixed before the scores are seen (choosing them after looking would void the bound).
/// </summary>
public static class OneRunGuesses
{
    /// <summary>(r, v): the guesses made, k₊ + k₋, and how many were right. Ties are broken by canary index.</summary>
    public static (int Guesses, int Correct) Count(IReadOnlyList<double> scores, IReadOnlyList<bool> included, int positives, int negatives)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(included);
        ArgumentOutOfRangeException.ThrowIfNotEqual(included.Count, scores.Count, nameof(included));
        if (positives < 0 || negatives < 0 || positives + negatives > scores.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(positives), $"Need k₊, k₋ ≥ 0 with k₊ + k₋ ≤ m = {scores.Count}; got {positives} and {negatives}.");
        }
        if (scores.Any(s => !double.IsFinite(s)))
        {
            // A NaN score has no rank; refusing is safer than guessing with it (fail closed).
            throw new ArgumentException("Every canary score must be a finite number.", nameof(scores));
        }
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).ToArray();
        var correct = order.Take(positives).Count(i => included[i]) + order.Skip(scores.Count - negatives).Count(i => !included[i]);
        return (positives + negatives, correct);
    }
}
