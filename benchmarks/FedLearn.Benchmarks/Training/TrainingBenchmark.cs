using System.Diagnostics;
using FedLearn.Privacy.Noise;
using FedLearn.Training;

namespace FedLearn.Benchmarks.Training;

/// <summary>
/// Training throughput, single-threaded ORT: one epoch per run of ordinary minibatch SGD and, if asked, of DP-SGD
/// (Poisson batches, per-example clipping, CSPRNG noise), alternating so both modes see the same machine load.
/// Reports medians of <see cref="TrainingBenchmarkOptions.Repetitions"/> runs.
/// </summary>
public static class TrainingBenchmark
{
    private const int NoiseTimings = 41;

    public static ModelSpec Model { get; } = ModelSpec.Parse("mlp", 784, 10, [256], "relu");

    public static TrainingBenchmarkResult Run(bool dp, TrainingBenchmarkOptions? options = null, CancellationToken ct = default)
    {
        options ??= new TrainingBenchmarkOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Repetitions, 1);
        var data = IdxDatasetLoader.LoadDirectory(options.DataDirectory, "train");
        var plainOptions = new TrainingOptions(1, options.BatchSize, options.LearningRate);
        var dpOptions = new DpSgdOptions(1, options.BatchSize, options.LearningRate, options.ClipNorm, options.NoiseMultiplier);
        using var plain = new LocalTrainer(Model, options.IntraOpThreads);
        using var dpTrainer = dp ? new DpSgdTrainer(Model, options.IntraOpThreads) : null;

        // Warm-up: session initialisation, first-touch of buffers, and tiered JIT, which takes ~100 calls to reach the
        // fully optimised vector maths in the noise (steady state is what a long-running participant sees).
        var warmUp = data.Subset([.. Enumerable.Range(0, Math.Min(data.Count, 16 * options.BatchSize))]);
        plain.Train(ModelInitializer.Initialize(Model, 1), warmUp, plainOptions with { Epochs = 10 }, ct: ct);
        dpTrainer?.Train(ModelInitializer.Initialize(Model, 1), warmUp, dpOptions with { Epochs = 10 }, ct: ct);

        var plainRuns = new List<(double ExamplesPerSecond, double StepMs)>();
        var dpRuns = new List<(double ExamplesPerSecond, double StepMs)>();
        for (var run = 0; run < options.Repetitions; run++)
        {
            var weights = ModelInitializer.Initialize(Model, run);
            var clock = Stopwatch.StartNew();
            var result = plain.Train(weights, data, plainOptions, ct: ct);
            plainRuns.Add(Rate(result.ExamplesSeen, result.Steps, clock.Elapsed));

            if (dpTrainer is not null)
            {
                weights = ModelInitializer.Initialize(Model, run);
                clock.Restart();
                var dpResult = dpTrainer.Train(weights, data, dpOptions, ct: ct);
                dpRuns.Add(Rate(dpResult.ExamplesSeen, dpResult.Steps, clock.Elapsed));
            }
        }

        var plainThroughput = Summarise("sgd", plainRuns);
        if (dpTrainer is null)
        {
            return new TrainingBenchmarkResult(Model.ToString(), data.Count, options.BatchSize, options.Repetitions, plainThroughput, null, null, null);
        }

        var dpThroughput = Summarise("dp-sgd", dpRuns);
        return new TrainingBenchmarkResult(
            Model.ToString(),
            data.Count,
            options.BatchSize,
            options.Repetitions,
            plainThroughput,
            dpThroughput,
            NoiseMilliseconds(Model.ParameterCount),
            dpThroughput.MedianStepMilliseconds / plainThroughput.MedianStepMilliseconds);
    }

    private static (double, double) Rate(long examples, int steps, TimeSpan elapsed) =>
        (examples / elapsed.TotalSeconds, elapsed.TotalMilliseconds / steps);

    private static TrainingThroughput Summarise(string mode, List<(double ExamplesPerSecond, double StepMs)> runs) =>
        new(mode, Median(runs.Select(r => r.ExamplesPerSecond)), Median(runs.Select(r => r.StepMs)), [.. runs.Select(r => r.ExamplesPerSecond)]);

    private static double NoiseMilliseconds(int parameters)
    {
        var buffer = new float[parameters];
        GridGaussianMechanism.AddNoise(buffer, 1.0, 1.0);
        var timings = new double[NoiseTimings];
        for (var i = 0; i < timings.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            GridGaussianMechanism.AddNoise(buffer, 1.0, 1.0);
            timings[i] = clock.Elapsed.TotalMilliseconds;
        }

        return Median(timings);
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
