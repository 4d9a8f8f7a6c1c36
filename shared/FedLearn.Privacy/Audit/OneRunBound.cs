namespace FedLearn.Privacy.Audit;

/// <summary>
/// The ε lower bound of one-run auditing (Steinke, Nasr &amp; Jagielski 2023, "Privacy Auditing with One (1) Training Run",
/// NeurIPS 2023, Theorem 5.2; docs/audit.md, "Example-level audit"). m canaries are each included independently with
/// probability ½; after one training run the auditor guesses "in" or "out" for r of them and abstains on the rest. If the
/// training is (ε, δ)-DP with respect to each canary, the number W of correct guesses satisfies, for every v,
/// P[W ≥ v] ≤ P[Binomial(r, p_ε) ≥ v] + 2·m·δ·max_{1≤i≤v} (1/i)·P[v &gt; Binomial(r, p_ε) ≥ v − i],
/// p_ε = e^ε / (1 + e^ε) (the accuracy of ε-randomized response). So the observed count v is a p-value for "the training is
/// (ε, δ)-DP", and every ε whose p-value is below 1 − confidence is refuted: the lower bound is the largest such ε.
/// </summary>
public static class OneRunBound
{
    /// <summary>Beyond this ε the bound is not searched (e^200 is far past any figure a ledger states).</summary>
    public const double MaxEpsilon = 200;

    /// <summary>
    /// The right-hand side above for the observed <paramref name="correct"/> = v, capped at 1: the probability, under the
    /// hypothesis that the training is (ε, δ)-DP, of at least v correct guesses among <paramref name="guesses"/> = r.
    /// </summary>
    public static double PValue(int canaries, int guesses, int correct, double epsilon, double delta)
    {
        if (!(canaries >= 1 && guesses >= 0 && guesses <= canaries && correct >= 0 && correct <= guesses))
        {
            throw new ArgumentOutOfRangeException(nameof(correct), $"Need 0 ≤ v ≤ r ≤ m; got m = {canaries}, r = {guesses}, v = {correct}.");
        }
        if (!(epsilon >= 0 && epsilon <= MaxEpsilon) || !(delta >= 0 && delta <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"Need ε in [0, {MaxEpsilon}] and δ in [0, 1]; got ε = {epsilon}, δ = {delta}.");
        }
        var pmf = BinomialPmf(guesses, epsilon);
        double tail = 0;
        for (var k = correct; k <= guesses; k++)
        {
            tail += pmf[k];
        }
        // α = max_i (1/i)·P[v > W ≥ v − i], the window of the i values just below v (Theorem 5.2).
        double window = 0, alpha = 0;
        for (var i = 1; i <= correct; i++)
        {
            window += pmf[correct - i];
            alpha = Math.Max(alpha, window / i);
        }
        return Math.Min(1, tail + 2 * canaries * delta * alpha);
    }

    /// <summary>
    /// The ε lower bound at <paramref name="confidence"/>: the largest ε (to 1e-6) whose p-value is at most 1 − confidence;
    /// 0 when even ε = 0 is not refuted. The p-value grows with ε, so bisection finds the crossing.
    /// </summary>
    public static double EpsilonLowerBound(int canaries, int guesses, int correct, double delta, double confidence)
    {
        if (!(confidence > 0 && confidence < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(confidence), confidence, "The confidence must be in (0, 1).");
        }
        var level = 1 - confidence;
        bool Refuted(double epsilon) => PValue(canaries, guesses, correct, epsilon, delta) <= level;
        if (!Refuted(0))
        {
            return 0;
        }
        double low = 0, high = 1;
        while (Refuted(high))
        {
            low = high;
            high *= 2;
            if (high > MaxEpsilon)
            {
                return MaxEpsilon;
            }
        }
        while (high - low > 1e-6)
        {
            var middle = (low + high) / 2;
            (low, high) = Refuted(middle) ? (middle, high) : (low, middle);
        }
        return low;
    }

    /// <summary>P[Binomial(r, p_ε) = k] for k = 0..r, from logarithms so that large r and p_ε near 1 stay exact enough.</summary>
    private static double[] BinomialPmf(int r, double epsilon)
    {
        // ln p_ε = −ln(1 + e^{−ε}), ln(1 − p_ε) = −ln(1 + e^{ε}): no cancellation for large ε.
        var lnP = -double.LogP1(Math.Exp(-epsilon));
        var lnQ = -double.LogP1(Math.Exp(epsilon));
        var pmf = new double[r + 1];
        double lnChoose = 0;
        for (var k = 0; k <= r; k++)
        {
            pmf[k] = Math.Exp(lnChoose + k * lnP + (r - k) * lnQ);
            lnChoose += Math.Log((double)(r - k) / (k + 1));
        }
        return pmf;
    }
}
