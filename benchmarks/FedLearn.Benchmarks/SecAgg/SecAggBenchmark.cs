using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using FedLearn.SecureAggregation;
using FedLearn.SecureAggregation.Crypto;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;
using FedLearn.SecureAggregation.Protocol;

namespace FedLearn.Benchmarks.SecAgg;

/// <summary>
/// One full round at the given size, everything in process, participants simulated one after another. Measured on the
/// calling thread (one core): the coordinator's streaming sum and unmasking, a participant's encode + noise + mask, and
/// the floor (AES-CTR expansion and vector adds) in the same run. Dropouts happen after key sharing — the costly case
/// for the coordinator, which must rebuild those participants' pairwise masks. Corrupt fraction for (k, t) is 5%.
/// </summary>
public static class SecAggBenchmark
{
    private const int MeasuredParticipants = 3;

    public static BenchmarkReport Run(int participants, int dimension, double dropout, int? neighbors)
    {
        var parameters = Parameters(participants, dropout, neighbors);
        // The noise is sized as a round sizes it: for the honest shares of the fewest survivors it unmasks with, allowing at
        // least the benchmark's dropout.
        var minimumSurvivors = DistributedNoiseGuarantee.MinimumSurvivors(participants, parameters.Threshold, minimum: 3,
            Math.Max(DistributedNoiseGuarantee.DefaultDropoutAllowance, dropout));
        var encoding = new EncodingParameters(dimension, ClipNorm: 1.0, Gamma: 1.0 / 65536, NoiseMultiplier: 1.0, minimumSurvivors, participants);
        var length = encoding.PaddedDimension;
        var config = new RoundConfiguration(RandomNumberGenerator.GetBytes(16), parameters, length, RandomNumberGenerator.GetBytes(16));
        var rotationSeed = RandomNumberGenerator.GetBytes(16);
        var droppedCount = (int)Math.Round(participants * dropout);
        var dropped = Enumerable.Range(0, participants).OrderBy(_ => RandomNumberGenerator.GetInt32(int.MaxValue)).Take(droppedCount).ToHashSet();

        var coordinator = new SecAggCoordinator(config);
        var clients = Enumerable.Range(0, participants).Select(i => new SecAggParticipant(config, i)).ToArray();
        try
        {
            foreach (var c in clients)
            {
                coordinator.Receive(c.AdvertiseKeys());
            }

            coordinator.CloseAdvertisement();
            foreach (var c in clients)
            {
                coordinator.Receive(c.ShareKeys(coordinator.KeysFor(c.Id)));
            }

            coordinator.CloseShareKeys();
            var plain = new uint[length];
            var encodeTimes = new List<double>();
            var maskTimes = new List<double>();
            double sumMs = 0;
            using var random = new CryptoRandom();
            var update = Enumerable.Range(0, dimension).Select(j => (float)Math.Sin(j)).ToArray();
            foreach (var c in clients.Where(c => !dropped.Contains(c.Id)))
            {
                uint[] x;
                var watch = Stopwatch.StartNew();
                if (encodeTimes.Count < MeasuredParticipants)
                {
                    x = UpdateEncoder.Encode(update, encoding, rotationSeed, random);
                    encodeTimes.Add(watch.Elapsed.TotalMilliseconds);
                }
                else
                {
                    x = Cheap(c.Id, length); // encoding is per participant and already measured; any input tests the sum
                }

                MaskAccumulator.Add(plain, x);
                watch.Restart();
                var masked = c.MaskInput(coordinator.SharesFor(c.Id), x);
                maskTimes.Add(watch.Elapsed.TotalMilliseconds);
                watch.Restart();
                coordinator.Receive(masked);
                sumMs += watch.Elapsed.TotalMilliseconds;
            }

            var unmaskWatch = Stopwatch.StartNew();
            var request = coordinator.CloseMaskedInput();
            unmaskWatch.Stop();
            var responses = clients.Where(c => !dropped.Contains(c.Id)).Select(c => c.Unmask(request)).ToList();
            unmaskWatch.Start();
            foreach (var r in responses)
            {
                coordinator.Receive(r);
            }

            var result = coordinator.Finish();
            var unmaskMs = unmaskWatch.Elapsed.TotalMilliseconds;

            var expansions = request.Survivors.Count + request.Dropped.Sum(u => config.Graph.NeighborsOf(u).Count(request.Survivors.Contains));
            var noiseMs = MeasureNoise(encoding, random);
            var (expandMs, sum1000Ms) = MeasureFloor(length);
            var survivors = request.Survivors.Count;
            return new BenchmarkReport
            {
                Participants = participants,
                Dimension = dimension,
                Dropout = dropout,
                Neighbors = parameters.Neighbors,
                Threshold = parameters.Threshold,
                Survivors = survivors,
                Dropped = request.Dropped.Count,
                CoordinatorMaskExpansions = expansions,
                CoordinatorSumMs = sumMs,
                CoordinatorUnmaskMs = unmaskMs,
                CoordinatorTotalMs = sumMs + unmaskMs,
                ParticipantEncodeMs = Median(encodeTimes),
                ParticipantNoiseMs = noiseMs,
                ParticipantMaskMs = Median(maskTimes),
                ParticipantTotalMs = Median(encodeTimes) + Median(maskTimes),
                FloorExpandAddMs = expandMs,
                FloorSum1000Ms = sum1000Ms,
                FloorCoordinatorMs = expansions * expandMs + survivors / 1000.0 * sum1000Ms,
                SumMatchesPlainSum = result.Sum.AsSpan().SequenceEqual(plain),
                AesIntrinsics = UsesAesIntrinsics(),
                ModulusBits = encoding.RequiredModulusBits(participants),
                EffectiveSensitivity = encoding.EffectiveSensitivity(),
                Machine = $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.ProcessArchitecture}",
            };
        }
        finally
        {
            foreach (var c in clients)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>(k, t) from <see cref="SecAggParameters.Choose"/> at 5% corruption; an explicit k uses t = k/2 + 2, the production (30, 17) rule.</summary>
    private static SecAggParameters Parameters(int n, double dropout, int? neighbors)
    {
        if (neighbors is not { } k)
        {
            return SecAggParameters.Choose(n, dropout, 0.05);
        }

        k = Math.Min(k, n - 1);
        return new SecAggParameters(n, k, Math.Min(k, k / 2 + 2));
    }

    private static uint[] Cheap(int id, int length)
    {
        var x = new uint[length];
        for (var j = 0; j < length; j++)
        {
            x[j] = (uint)(id * 2_654_435_761L + j);
        }

        return x;
    }

    /// <summary>The encoder's noise step alone (all cores, table sampler), on a zero vector of length D.</summary>
    private static double MeasureNoise(EncodingParameters encoding, CryptoRandom random)
    {
        var target = new uint[encoding.PaddedDimension];
        var watch = Stopwatch.StartNew();
        DiscreteGaussianNoise.Add(target, encoding.GridNoiseVariance, random);
        return watch.Elapsed.TotalMilliseconds;
    }

    /// <summary>Expand-and-add one mask (best of 20), and 1000 adds cycling through 16 vectors (64 MiB at d = 2^20, beyond cache).</summary>
    private static (double ExpandAddMs, double Sum1000Ms) MeasureFloor(int length)
    {
        var target = new uint[length];
        using var key = new MaskKey(RandomNumberGenerator.GetBytes(MaskKey.SeedBytes));
        var best = double.MaxValue;
        for (var r = 0; r < 20; r++)
        {
            var watch = Stopwatch.StartNew();
            key.Apply(target, 0, subtract: false);
            best = Math.Min(best, watch.Elapsed.TotalMilliseconds);
        }

        var sources = Enumerable.Range(0, 16).Select(i => Cheap(i, length)).ToArray();
        var sumWatch = Stopwatch.StartNew();
        for (var i = 0; i < 1000; i++)
        {
            MaskAccumulator.Add(target, sources[i % sources.Length]);
        }

        return (best, sumWatch.Elapsed.TotalMilliseconds);
    }

    /// <summary>Whether masks expand with the AES-NI path on this machine: the library's own choice, read from a throwaway key.</summary>
    private static bool UsesAesIntrinsics()
    {
        using var key = new MaskKey(new byte[MaskKey.SeedBytes]);
        return key.UsesIntrinsics;
    }

    private static double Median(List<double> xs) => xs.Count == 0 ? 0 : xs.Order().ElementAt(xs.Count / 2);
}
