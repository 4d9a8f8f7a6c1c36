using FedLearn.Privacy.Audit;

namespace FedLearn.Privacy.Tests.Audit;

/// <summary>
/// The one-run bound (Steinke, Nasr &amp; Jagielski 2023, Theorem 5.2) against a brute-force computation over every outcome
/// of r guesses, its closed form when every guess is right and δ = 0, and its level on simulated randomized response.
/// </summary>
public sealed class OneRunBoundTests
{
    [Theory]
    [InlineData(10, 10, 7, 0.5, 0.0)]
    [InlineData(20, 10, 9, 1.0, 1e-3)]
    [InlineData(50, 8, 8, 2.0, 1e-2)]
    [InlineData(12, 12, 4, 0.0, 1e-1)]
    [InlineData(30, 9, 0, 3.0, 1e-4)]
    public void PValue_EqualsBruteForceOverEveryOutcome(int m, int r, int v, double epsilon, double delta)
    {
        // Every one of the 2^r right/wrong patterns, each guess right with probability p_ε = e^ε/(1 + e^ε).
        var p = Math.Exp(epsilon) / (1 + Math.Exp(epsilon));
        var byCount = new double[r + 1];
        for (var pattern = 0; pattern < 1 << r; pattern++)
        {
            var right = System.Numerics.BitOperations.PopCount((uint)pattern);
            byCount[right] += Math.Pow(p, right) * Math.Pow(1 - p, r - right);
        }
        var tail = byCount.Skip(v).Sum();
        var alpha = 0.0;
        for (var i = 1; i <= v; i++)
        {
            alpha = Math.Max(alpha, byCount.Skip(v - i).Take(i).Sum() / i);
        }
        var expected = Math.Min(1, tail + 2 * m * delta * alpha);

        Assert.Equal(expected, OneRunBound.PValue(m, r, v, epsilon, delta), 1e-12);
    }

    [Theory]
    [InlineData(10, 0.95)]
    [InlineData(100, 0.95)]
    [InlineData(1000, 0.99)]
    public void EpsilonLowerBound_AllGuessesRightWithoutDelta_IsTheClosedForm(int r, double confidence)
    {
        // P[Binomial(r, p) ≥ r] = p^r = 1 − confidence at p = (1 − confidence)^(1/r); ε = ln(p / (1 − p)).
        var p = Math.Pow(1 - confidence, 1.0 / r);

        Assert.Equal(Math.Log(p / (1 - p)), OneRunBound.EpsilonLowerBound(r, r, r, 0, confidence), 1e-5);
    }

    [Theory]
    [InlineData(1000, 100, 80, 1e-5)]
    [InlineData(200, 40, 35, 1e-6)]
    [InlineData(5000, 500, 300, 1e-5)]
    public void EpsilonLowerBound_IsWhereThePValueCrossesTheLevel(int m, int r, int v, double delta)
    {
        var epsilon = OneRunBound.EpsilonLowerBound(m, r, v, delta, 0.95);

        Assert.True(epsilon > 0);
        Assert.True(OneRunBound.PValue(m, r, v, epsilon, delta) <= 0.05);
        Assert.True(OneRunBound.PValue(m, r, v, epsilon + 1e-5, delta) > 0.05);
        // δ only weakens the evidence: the same count refutes more with δ = 0.
        Assert.True(OneRunBound.EpsilonLowerBound(m, r, v, 0, 0.95) >= epsilon);
    }

    [Fact]
    public void EpsilonLowerBound_AtChance_IsZero() =>
        Assert.Equal(0, OneRunBound.EpsilonLowerBound(1000, 100, 50, 1e-5, 0.95));

    [Fact]
    public void EpsilonLowerBound_OnSimulatedRandomizedResponse_ExceedsTheTrueEpsilonAtMostAtTheLevel()
    {
        // ε-randomized response is exactly as visible as ε-DP allows: each guess is right with probability p_ε. The bound
        // at 95% confidence may exceed the true ε in at most 5% of runs (Theorem 5.2); a fixed seed keeps the test stable.
        const double Epsilon = 1.0;
        const int Runs = 400, Guesses = 200;
        var random = new Random(20231);
        var p = Math.Exp(Epsilon) / (1 + Math.Exp(Epsilon));
        var exceeded = 0;
        for (var run = 0; run < Runs; run++)
        {
            var correct = Enumerable.Range(0, Guesses).Count(_ => random.NextDouble() < p);
            exceeded += OneRunBound.EpsilonLowerBound(Guesses, Guesses, correct, 0, 0.95) > Epsilon ? 1 : 0;
        }

        Assert.InRange(exceeded, 0, Runs * 0.05 + 3 * Math.Sqrt(Runs * 0.05 * 0.95));
    }

    [Theory]
    [InlineData(5, 2, 3, 1.0, 0.0)]
    [InlineData(5, 6, 1, 1.0, 0.0)]
    [InlineData(5, 2, 1, -1.0, 0.0)]
    [InlineData(5, 2, 1, double.NaN, 0.0)]
    [InlineData(5, 2, 1, 1.0, 2.0)]
    [InlineData(5, 2, 1, 1.0, double.NaN)]
    public void PValue_RefusesImpossibleInputs(int m, int r, int v, double epsilon, double delta) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OneRunBound.PValue(m, r, v, epsilon, delta));

    [Fact]
    public void Guesses_TopAreGuessedIn_BottomOut_TiesByIndex()
    {
        double[] scores = [0.9, 0.1, 0.5, 0.5, -2, 3];
        bool[] included = [true, false, false, true, false, false];

        // Top 2: canaries 5 (out: wrong) and 0 (in: right); bottom 2: canaries 4 and 1 (both out: right).
        Assert.Equal((4, 3), OneRunGuesses.Count(scores, included, 2, 2));
        // Ties: 0.5 at canaries 2 and 3, the lower index ranks first, so the third-highest guess is canary 2 (out: wrong).
        Assert.Equal((3, 1), OneRunGuesses.Count(scores, included, 3, 0));
        Assert.Throws<ArgumentException>(() => OneRunGuesses.Count([0.1, double.NaN], [true, false], 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => OneRunGuesses.Count(scores, included, 4, 3));
    }
}
