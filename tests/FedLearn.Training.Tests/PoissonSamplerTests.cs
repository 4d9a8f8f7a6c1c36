namespace FedLearn.Training.Tests;

public sealed class PoissonSamplerTests
{
    [Theory]
    [InlineData(10_000, 0.01)]
    [InlineData(1_000, 0.3)]
    [InlineData(60_000, 256.0 / 60_000)]
    public void Sample_BatchSizes_HaveBinomialMeanAndVariance(int population, double q)
    {
        var sampler = new PoissonSampler(q);
        var sample = new List<int>();
        const int draws = 400;
        var sizes = new double[draws];

        for (var d = 0; d < draws; d++)
        {
            sampler.Sample(population, sample);
            sizes[d] = sample.Count;
            Assert.True(sample.Zip(sample.Skip(1)).All(p => p.First < p.Second), "indices strictly increasing");
            Assert.All(sample, i => Assert.InRange(i, 0, population - 1));
        }

        // Loose bounds (about 6 standard errors) so the test essentially never fails by chance.
        var mean = sizes.Average();
        var variance = sizes.Sum(s => (s - mean) * (s - mean)) / (draws - 1);
        var expectedMean = population * q;
        var expectedVariance = population * q * (1 - q);
        Assert.InRange(mean, expectedMean - 6 * Math.Sqrt(expectedVariance / draws), expectedMean + 6 * Math.Sqrt(expectedVariance / draws));
        Assert.InRange(variance, 0.6 * expectedVariance, 1.5 * expectedVariance);
    }

    [Fact]
    public void Sample_EveryIndex_IsIncludedAtRateQ()
    {
        const int population = 50;
        const double q = 0.2;
        const int draws = 4_000;
        var sampler = new PoissonSampler(q);
        var sample = new List<int>();
        var hits = new int[population];

        for (var d = 0; d < draws; d++)
        {
            sampler.Sample(population, sample);
            sample.ForEach(i => hits[i]++);
        }

        // Each count is Binomial(4000, 0.2): mean 800, sd ≈ 25; allow ±6 sd. Catches off-by-one gaps at either end.
        Assert.All(hits, h => Assert.InRange(h, 650, 950));
    }

    [Fact]
    public void Sample_RateOne_IncludesEveryone()
    {
        var sample = new List<int>();

        new PoissonSampler(1.0).Sample(17, sample);

        Assert.Equal(Enumerable.Range(0, 17), sample);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(256.0 / 60_000)]
    [InlineData(1e-7)]
    [InlineData(0.5)]
    public void InclusionProbability_IsQFlooredToMultiplesOfTwoToTheMinus53(double q)
    {
        var p = new PoissonSampler(q).InclusionProbability;

        Assert.Equal(Math.Floor(Math.ScaleB(q, 53)), Math.ScaleB(p, 53));
        Assert.True(p <= q);
    }

    [Fact]
    public void Sample_RateAtAByteBoundary_DecidesByTheTopByteAlone()
    {
        // q = 1/2: the threshold is 2^52, top byte 128 and no low bits, so exactly the bytes below 128 include.
        var sampler = new PoissonSampler(0.5);
        var sample = new List<int>();
        var total = 0;

        for (var d = 0; d < 200; d++)
        {
            sampler.Sample(1000, sample);
            total += sample.Count;
        }

        // Binomial(200 000, 1/2): sd ≈ 224; ±6 sd.
        Assert.InRange(total, 100_000 - 1350, 100_000 + 1350);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.5)]
    [InlineData(double.NaN)]
    public void Constructor_RateOutsideUnitInterval_Throws(double q) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonSampler(q));
}
