namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// ln P[X = k] for X ~ Binomial(n, p), k = 0 … n, in log space so that tails far below double's smallest normal number
/// stay exact enough to sum. Shared by the colluder bound c(n) and DP-SGD's batch-size bound B_max.
/// </summary>
public static class BinomialLogPmf
{
    /// <summary>
    /// ln C(n, k) + k·ln p + (n − k)·ln(1 − p), with ln C(n, k) built up by the ratio C(n, k+1)/C(n, k) = (n − k)/(k + 1).
    /// </summary>
    /// <param name="trials">n ≥ 0.</param>
    /// <param name="probability">p in (0, 1); the callers handle p = 0 and p = 1, whose pmf is a point mass.</param>
    public static double[] Compute(int trials, double probability)
    {
        var logPmf = new double[trials + 1];
        var (lnP, ln1mP) = (Math.Log(probability), double.LogP1(-probability));
        var lnChoose = 0.0;
        for (var k = 0; k <= trials; k++)
        {
            logPmf[k] = lnChoose + (k * lnP) + ((trials - k) * ln1mP);
            lnChoose += Math.Log((double)(trials - k) / (k + 1));
        }
        return logPmf;
    }
}
