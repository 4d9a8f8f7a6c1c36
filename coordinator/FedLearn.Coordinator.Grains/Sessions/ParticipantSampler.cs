using System.Security.Cryptography;

namespace FedLearn.Coordinator.Grains.Sessions;

/// <summary>
/// Chooses a round's participants uniformly at random without replacement. Selection is privacy-relevant (it is the
/// sampling a privacy analysis relies on), so the randomness comes from the operating system's CSPRNG.
/// </summary>
public static class ParticipantSampler
{
    /// <summary>
    /// Poisson sampling: every member joins independently with probability q — the sampling the subsampled-Gaussian
    /// accountants assume (Mironov, Talwar &amp; Zhang 2019, §3; Zhu &amp; Wang 2019). The coin uses 53 CSPRNG bits: k uniform
    /// in [0, 2^53) joins when k &lt; ⌊q·2^53⌋, an integer comparison, so the probability is ⌊q·2^53⌋/2^53 ≤ q (never above the
    /// charged q; RDP and PLD only grow with q). q·2^53 is exact in binary floating point.
    /// </summary>
    public static IReadOnlyList<T> SamplePoisson<T>(IReadOnlyList<T> population, double samplingRate)
    {
        if (!(samplingRate is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "The sampling rate must be in (0, 1].");
        }
        Span<byte> bytes = stackalloc byte[8];
        var selected = new List<T>();
        var threshold = (ulong)Math.Floor(Math.ScaleB(samplingRate, 53));
        foreach (var member in population)
        {
            RandomNumberGenerator.Fill(bytes);
            if (BitConverter.ToUInt64(bytes) >> 11 < threshold)
            {
                selected.Add(member);
            }
        }
        return selected;
    }

    public static IReadOnlyList<T> SampleWithoutReplacement<T>(IReadOnlyList<T> population, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var pool = population.ToArray();
        var take = Math.Min(count, pool.Length);
        // Partial Fisher–Yates shuffle: the first `take` slots end up a uniform random subset in random order.
        for (var i = 0; i < take; i++)
        {
            var j = RandomNumberGenerator.GetInt32(i, pool.Length);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..take];
    }
}
