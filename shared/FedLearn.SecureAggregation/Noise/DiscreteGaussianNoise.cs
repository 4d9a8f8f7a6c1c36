namespace FedLearn.SecureAggregation.Noise;

/// <summary>
/// Adds N_Z(0, σ²) noise to every word of a vector (mod 2^32) on all cores: the vector is cut into fixed chunks, each
/// drawing from its own <see cref="CryptoRandom.Fork"/> of the caller's generator, so the noise does not depend on how
/// the chunks are scheduled. Uses the <see cref="DiscreteGaussianTable"/> sampler (within its stated statistical
/// distance of N_Z(0, σ²)) up to <see cref="DiscreteGaussianTable.MaxSigmaSquared"/>, the exact
/// <see cref="DiscreteGaussianSampler"/> beyond.
/// </summary>
public static class DiscreteGaussianNoise
{
    private const int ChunkWords = 1 << 15;

    public static void Add(uint[] target, ulong sigmaSquared, CryptoRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sigmaSquared);
        var chunks = (target.Length + ChunkWords - 1) / ChunkWords;
        var forks = new CryptoRandom[chunks];
        for (var c = 0; c < chunks; c++)
        {
            forks[c] = random.Fork();
        }

        try
        {
            if (sigmaSquared <= DiscreteGaussianTable.MaxSigmaSquared)
            {
                var table = DiscreteGaussianTable.For(sigmaSquared);
                Parallel.For(0, chunks, c => table.AddSamples(Chunk(target, c), forks[c]));
            }
            else
            {
                var exact = new DiscreteGaussianSampler(sigmaSquared);
                Parallel.For(0, chunks, c =>
                {
                    var chunk = Chunk(target, c);
                    for (var j = 0; j < chunk.Length; j++)
                    {
                        chunk[j] += unchecked((uint)exact.Sample(forks[c]));
                    }
                });
            }
        }
        finally
        {
            foreach (var fork in forks)
            {
                fork.Dispose();
            }
        }
    }

    /// <summary>
    /// Upper bound on the total variation distance of one sample from N_Z(0, σ²), given uniform bits: the table's
    /// proven bound (<see cref="DiscreteGaussianTable.StatisticalDistanceBound"/>, ≤ 2^−70), 0 for the exact sampler.
    /// </summary>
    public static double StatisticalDistancePerCoordinate(ulong sigmaSquared)
    {
        ArgumentOutOfRangeException.ThrowIfZero(sigmaSquared);
        return sigmaSquared <= DiscreteGaussianTable.MaxSigmaSquared ? DiscreteGaussianTable.For(sigmaSquared).StatisticalDistanceBound : 0.0;
    }

    private static Span<uint> Chunk(uint[] target, int c) =>
        target.AsSpan(c * ChunkWords, Math.Min(ChunkWords, target.Length - (c * ChunkWords)));
}
