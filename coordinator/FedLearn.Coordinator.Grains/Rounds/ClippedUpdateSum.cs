namespace FedLearn.Coordinator.Grains.Rounds;

/// <summary>
/// The sum of updates each clipped to L2 norm C: Σ Δᵢ·min(1, C/‖Δᵢ‖₂). Unweighted, so adding or removing one participant
/// moves the sum by at most C in L2 — the sensitivity the Gaussian noise is calibrated to (DP-FedAvg, McMahan et al. 2018,
/// "Learning Differentially Private Recurrent Language Models", Algorithm 1 with flat clipping). The coordinator clips
/// even though honest participants already did: the guarantee must not depend on every participant's code.
/// </summary>
/// <remarks>
/// <para>
/// Floating point: the sum is held in double and handed to the noise mechanism as it is (never narrowed to float first,
/// which would move each coordinate by up to 2^−24 of the sum's value: a cohort of 1000 could push ‖S − S′‖ to
/// C·(1 + 1.2·10^−4)). What double rounding is left is paid for by clipping to C·(1 − m) instead of C, with
/// m = (d + 8 + 3n²)·2^−52 for d coordinates and at most n contributions, u = 2^−53 (Higham 2002, "Accuracy and Stability
/// of Numerical Algorithms", §3.1, Lemma 3.1 and eq. (3.4)–(3.5)):
/// </para>
/// <list type="bullet">
/// <item>the computed norm is within (d/2 + 2)·u of the true one relative (sum of d squares, then a square root), and the
/// scale and the d products add 2u, so a clipped contribution y has ‖y‖ ≤ C(1 − m)(1 + κ), κ = (d + 8)·u;</item>
/// <item>recursive summation of n terms moves each coordinate of the sum by ≤ (n − 1)·u·Σᵢ|yᵢⱼ|, so the computed S is
/// within (n − 1)·u·Σᵢ‖yᵢ‖ ≤ n²·u·C(1 + κ) of the exact sum of the y in L2, and so is S′;</item>
/// <item>so ‖fl(S) − fl(S′)‖ ≤ C(1 − m)(1 + κ)(1 + 2n²u) ≤ C whenever m ≥ κ + 2n²u + κ·2n²u, which m = 2·(d + 8 + 3n²)·u
/// exceeds.</item>
/// </list>
/// The charged sensitivity (C, then C + γ√d after snapping) therefore holds for the sums as computed.
/// </remarks>
public sealed class ClippedUpdateSum
{
    /// <summary>Above this margin the clip would visibly shrink updates: such a (d, n) is refused rather than mis-charged.</summary>
    public const double MaxMargin = 1.0 / 1024;

    private readonly double[] _sum;
    private readonly double _target;
    private readonly int _maxContributions;

    /// <param name="parameterCount">d.</param>
    /// <param name="clipNorm">C.</param>
    /// <param name="maxContributions">n: the most updates this sum may take (the participants eligible for the round; public).</param>
    /// <exception cref="ArgumentException">C not positive and finite, n &lt; 1, or a margin above <see cref="MaxMargin"/>.</exception>
    public ClippedUpdateSum(int parameterCount, double clipNorm, int maxContributions = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(parameterCount);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxContributions, 1);
        if (!(clipNorm > 0 && double.IsFinite(clipNorm)))
        {
            throw new ArgumentException($"The clip norm must be a positive finite number, got {clipNorm}.", nameof(clipNorm));
        }
        Margin = FedLearn.Privacy.RoundingMargins.DoubleClippedSum(parameterCount, maxContributions);
        if (!(Margin <= MaxMargin))
        {
            throw new ArgumentException(
                $"{parameterCount} coordinates summed over {maxContributions} updates need a clipping margin of {Margin:G3}, above {MaxMargin:G3}.",
                nameof(maxContributions));
        }
        _sum = new double[parameterCount];
        _target = clipNorm * (1 - Margin);
        _maxContributions = maxContributions;
    }

    /// <summary>m: each update is clipped to C·(1 − m) so that the computed sums of neighbours differ by at most C.</summary>
    public double Margin { get; }

    public int Count { get; private set; }

    /// <summary>The sum as computed, in double: what the noise mechanism snaps.</summary>
    public ReadOnlySpan<double> Values => _sum;

    /// <exception cref="ArgumentException">An update of another length.</exception>
    /// <exception cref="InvalidOperationException">More updates than the margin was computed for.</exception>
    public void Add(ReadOnlySpan<float> delta)
    {
        if (delta.Length != _sum.Length)
        {
            throw new ArgumentException($"Expected {_sum.Length} values, got {delta.Length}.", nameof(delta));
        }
        if (Count >= _maxContributions)
        {
            throw new InvalidOperationException($"The sum was sized for at most {_maxContributions} updates.");
        }
        double squared = 0;
        foreach (var value in delta)
        {
            squared += (double)value * value;
        }
        var norm = Math.Sqrt(squared);
        var scale = norm > _target ? _target / norm : 1.0;
        for (var i = 0; i < _sum.Length; i++)
        {
            _sum[i] += scale * delta[i];
        }
        Count++;
    }
}
