using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace FedLearn.Training;

/// <summary>
/// Poisson subsampling from the CSPRNG, exact: every index in [0, N) is included independently with probability
/// p = ⌊q·2^53⌋/2^53 ≤ q, decided by an integer comparison U &lt; ⌊q·2^53⌋ of a uniform 53-bit U (the coordinator's
/// ParticipantSampler decides participants the same way; q·2^53 is exact in binary floating point). No floating-point
/// operation touches the decision, so the sample is exactly Poisson(p): its total variation distance from the sampler
/// the accountant assumes is 0, and nothing needs to be added to δ for it. Accounting at q is valid for p ≤ q: a
/// Poisson(p) sample is a Poisson(q) sample thinned independently with probability p/q, a data-independent step that
/// cannot make a neighbouring pair of batches further apart, and the subsampled Gaussian bounds at q cover it.
/// </summary>
/// <remarks>
/// U is compared lazily from its top byte: a byte below the threshold's top byte includes the index, one above
/// excludes it, and only an equal byte (probability 1/256) needs U's remaining 45 bits. The scan for bytes at or below
/// the threshold is vectorised (<see cref="MemoryExtensions.IndexOfAnyInRange{T}(ReadOnlySpan{T}, T, T)"/>), so a step
/// costs about one random byte per index and a few instructions per 32 indices, independent of the data.
/// </remarks>
internal sealed class PoissonSampler
{
    private const int TailBits = 45; // 53 − 8

    private readonly byte[] _bytes = new byte[16384];
    private readonly ulong[] _tails = new ulong[64];
    private readonly bool _everyone;
    private readonly byte _top;
    private readonly ulong _low;
    private int _nextByte;
    private int _nextTail;

    public PoissonSampler(double samplingRate)
    {
        if (!(samplingRate > 0 && samplingRate <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(samplingRate), samplingRate, "The sampling rate must be in (0, 1].");
        }

        var threshold = (ulong)Math.Floor(Math.ScaleB(samplingRate, 53)); // exact: a power-of-two scaling
        _everyone = threshold >= 1UL << 53; // q = 1
        _top = (byte)(threshold >> TailBits);
        _low = threshold & ((1UL << TailBits) - 1);
        _nextByte = _bytes.Length;
        _nextTail = _tails.Length;
    }

    /// <summary>The inclusion probability realised, ⌊q·2^53⌋/2^53 (≤ q).</summary>
    public double InclusionProbability => _everyone ? 1.0 : Math.ScaleB(((ulong)_top << TailBits) | _low, -53);

    /// <summary>Clears <paramref name="sample"/> and fills it with the included indices in increasing order.</summary>
    public void Sample(int populationSize, List<int> sample)
    {
        sample.Clear();
        if (_everyone)
        {
            for (var i = 0; i < populationSize; i++)
            {
                sample.Add(i);
            }

            return;
        }

        var index = 0;
        while (index < populationSize)
        {
            if (_nextByte == _bytes.Length)
            {
                RandomNumberGenerator.Fill(_bytes);
                _nextByte = 0;
            }

            var chunk = _bytes.AsSpan(_nextByte, Math.Min(populationSize - index, _bytes.Length - _nextByte));
            var offset = 0;
            while (true)
            {
                var hit = chunk[offset..].IndexOfAnyInRange((byte)0, _top);
                if (hit < 0)
                {
                    break;
                }

                offset += hit;
                if (chunk[offset] < _top || NextTail() < _low)
                {
                    sample.Add(index + offset);
                }

                offset++;
            }

            // Used randomness is not left behind: which indices were drawn is private.
            chunk.Clear();
            _nextByte += chunk.Length;
            index += chunk.Length;
        }
    }

    /// <summary>The low 45 bits of U, uniform.</summary>
    private ulong NextTail()
    {
        if (_nextTail == _tails.Length)
        {
            RandomNumberGenerator.Fill(MemoryMarshal.AsBytes(_tails.AsSpan()));
            _nextTail = 0;
        }

        var word = _tails[_nextTail];
        _tails[_nextTail++] = 0;
        return word >> (64 - TailBits);
    }
}
