using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;
using FsCheck.Xunit;

namespace FedLearn.SecureAggregation.Tests.Encoding;

public sealed class UpdateEncoderTests
{
    private static readonly byte[] Seed = [4, 2];

    [Property(MaxTest = 30)]
    public bool RandomizedHadamard_ForwardThenInverse_IsIdentityAndKeepsNorm(int seed, byte logRaw)
    {
        var n = 1 << (logRaw % 10);
        var random = new Random(seed);
        var x = Enumerable.Range(0, n).Select(_ => random.NextDouble() - 0.5).ToArray();
        var y = (double[])x.Clone();
        RandomizedHadamard.Forward(y, Seed);
        var normsAgree = Math.Abs(Norm(x) - Norm(y)) < 1e-9;
        RandomizedHadamard.Inverse(y, Seed);
        return normsAgree && x.Zip(y).All(p => Math.Abs(p.First - p.Second) < 1e-9);
    }

    [Property(MaxTest = 30)]
    public bool ConditionalRound_Always_WithinBoundAndWithinOneOfInput(int seed)
    {
        var p = new EncodingParameters(64, 1.0, 0.01, 0, 1, 1);
        var random = new Random(seed);
        var x = Enumerable.Range(0, 64).Select(_ => (random.NextDouble() - 0.5) * 25).ToArray();
        using var rng = new CryptoRandom();
        var r = UpdateEncoder.ConditionalRound(x, 1.0, p.GridSensitivity, rng).Select(v => (double)UpdateEncoder.Signed(v, 32)).ToArray();
        return Norm(r) <= p.GridSensitivity && r.Zip(x).All(q => Math.Abs(q.First - q.Second) < 1);
    }

    [Fact]
    public void EncodeDecode_SumOfClientsWithoutNoise_MatchesClippedSumWithinRoundingError()
    {
        var p = new EncodingParameters(100, ClipNorm: 1.0, Gamma: 1e-4, NoiseMultiplier: 0, MinimumSurvivors: 1, Cohort: 1);
        using var rng = new CryptoRandom();
        var random = new Random(1);
        var updates = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 100).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray()).ToArray();
        var sum = new uint[p.PaddedDimension];
        foreach (var u in updates)
        {
            var e = UpdateEncoder.Encode(u, p, Seed, rng);
            for (var i = 0; i < sum.Length; i++)
            {
                sum[i] += e[i];
            }
        }

        var decoded = UpdateEncoder.Decode(sum, p, Seed, p.RequiredModulusBits(5));
        var expected = new double[100];
        foreach (var u in updates)
        {
            var scale = Math.Min(1.0, 1.0 / Norm(u.Select(v => (double)v).ToArray()));
            for (var i = 0; i < 100; i++)
            {
                expected[i] += u[i] * scale;
            }
        }

        // Rounding moves each grid coordinate by < 1, i.e. each of 5 clients by < γ√D in L2.
        Assert.True(Norm(decoded.Zip(expected, (a, b) => a - b).ToArray()) < 5 * 1e-4 * Math.Sqrt(128));
    }

    [Fact]
    public void Encode_WithNoise_AddsVarianceSigmaDeltaSquaredOverHonestShares()
    {
        var p = new EncodingParameters(4096, ClipNorm: 1.0, Gamma: 0.01, NoiseMultiplier: 1.0, MinimumSurvivors: 4, Cohort: 20, Rotate: false,
            AssumedColluders: 1);
        using var rng = new CryptoRandom();
        var e = UpdateEncoder.Encode(new float[4096], p, Seed, rng);
        var values = e.Select(v => (double)UpdateEncoder.Signed(v, 32)).ToArray();
        var variance = values.Select(v => v * v).Average();
        // c = 100, D = 4096, β = e^(−1/2): Δ₂² = c² + D/4 + 1·(c + √D/2) = 11156; 4 − 1 colluder = 3 honest shares.
        Assert.Equal(11156.0, p.GridSensitivity * p.GridSensitivity, 6);
        Assert.Equal(3719UL, p.GridNoiseVariance); // ⌈11156 / 3⌉
        Assert.InRange(variance, 3719 * 0.9, 3719 * 1.1);
    }

    [Fact]
    public void GridNoiseVariance_TinySigma_IsFloored()
    {
        var p = new EncodingParameters(16, ClipNorm: 1.0, Gamma: 0.5, NoiseMultiplier: 1e-3, MinimumSurvivors: 4, Cohort: 4, Rotate: false, AssumedColluders: 0);
        Assert.Equal(DistributedNoiseGuarantee.MinimumShareVariance, p.GridNoiseVariance);
    }

    [Theory]
    [InlineData(2, 3, 0)] // ρ = 0
    [InlineData(17, 20, 12)] // c(n) at ρ = 0.05
    [InlineData(90, 100, 26)]
    [InlineData(900, 1000, 106)]
    public void EffectiveNoiseMultiplier_CoversRoundingAndCorruptShares_AtLeastSigma(int minimumSurvivors, int cohort, int colluders)
    {
        var p = new EncodingParameters(1 << 20, 1.0, 1.0 / 4096, 0.8, minimumSurvivors, cohort, AssumedColluders: colluders);
        var honest = minimumSurvivors - colluders;
        Assert.Equal(Math.Sqrt(honest * (double)p.GridNoiseVariance) / p.GridSensitivity, p.EffectiveNoiseMultiplier(), 12);
        Assert.InRange(p.EffectiveNoiseMultiplier(), 0.8, 0.8 * 1.0001);
    }

    [Fact]
    public void GuaranteedNoiseMultiplier_MoreSurvivors_CountsThemLessEveryCorruptOfTheCohort()
    {
        var p = new EncodingParameters(1 << 10, 1.0, 1.0 / 4096, 1.0, MinimumSurvivors: 90, Cohort: 100);
        // The default ρ = 0.05 of the population: c(100) = 26 colluders. s_min = 90 of 100 → 64 honest shares carry σ;
        // 95 survivors → 69 honest shares carry σ·√(69/64).
        Assert.Equal(26, p.Colluders);
        Assert.Equal(p.EffectiveNoiseMultiplier() * Math.Sqrt(69.0 / 64), p.GuaranteedNoiseMultiplier(95), 9);
        Assert.Equal(0, (p with { NoiseMultiplier = 0 }).GuaranteedNoiseMultiplier(95));
        Assert.Throws<ArgumentException>(() => p.GuaranteedNoiseMultiplier(101));
    }

    [Fact]
    public void GridNoiseVariance_SizedForTheMinimumSurvivors_NotTheThreshold()
    {
        // A SecAgg+ cohort of 1000 has t = 18; sizing each share for t honest shares gave the 950 survivors ≈ 56 times the
        // intended variance, and at t survivors no share was certainly honest. Sized for s_min = 900 (794 certainly honest
        // beside the c(1000) = 106 colluders of a population 5% colluding): the sum of all 1000 shares carries
        // σ·√(1000/794), under 1.13 σ.
        var p = new EncodingParameters(1 << 16, 1.0, 1.0 / 4096, 1.0, MinimumSurvivors: 900, Cohort: 1000);
        var allShares = Math.Sqrt(1000.0 * p.GridNoiseVariance) / p.GridSensitivity;
        Assert.InRange(allShares, Math.Sqrt(1000.0 / 794), Math.Sqrt(1000.0 / 794) * 1.0001);
        Assert.Throws<ArgumentException>(() => (p with { MinimumSurvivors = 18 }).GridNoiseVariance);
    }

    [Fact]
    public void EffectiveSensitivity_IncludesRoundingInflation_AndTendsToClipNorm()
    {
        var coarse = new EncodingParameters(1 << 20, 1.0, 1e-3, 1.0, 17, 20);
        var fine = coarse with { Gamma = 1e-7 };
        Assert.True(coarse.EffectiveSensitivity() > Math.Sqrt(1.0 + 1e-6 * (1 << 20) / 4)); // c² + D/4 in quadrature
        Assert.InRange(fine.EffectiveSensitivity(), 1.0, 1.001);
        // The noise is sized from Δ₂, so the inflation costs noise (visible in σ_int²), not guaranteed σ.
        Assert.True(coarse.GridNoiseVariance > fine.GridNoiseVariance * (1e-7 * 1e-7) / (1e-3 * 1e-3));
        Assert.True(coarse.EffectiveNoiseMultiplier() >= 1.0);
    }

    [Fact]
    public void NoiseStatisticalDistance_IsParticipantsTimesDimensionTimesThePerSampleBound()
    {
        var p = new EncodingParameters(1 << 20, 1.0, 1.0 / 65536, 1.0, 17, 20);
        var perSample = DiscreteGaussianNoise.StatisticalDistancePerCoordinate(p.GridNoiseVariance);
        Assert.InRange(perSample, double.Epsilon, Math.ScaleB(1.0, -70));
        Assert.Equal(1000.0 * (1 << 20) * perSample, p.NoiseStatisticalDistance(1000));
        Assert.Equal(0, (p with { NoiseMultiplier = 0 }).NoiseStatisticalDistance(1000));
    }

    [Fact]
    public void RequiredModulusBits_ReferenceBenchmarkSetting_FitsIn32Bits()
    {
        var p = new EncodingParameters(1 << 20, 1.0, 1.0 / 65536, 1.0, 17, 20);
        Assert.InRange(p.RequiredModulusBits(1000), 20, 32);
    }

    private static double Norm(double[] v) => Math.Sqrt(v.Sum(x => x * x));
}
