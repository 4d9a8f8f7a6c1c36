using System.Diagnostics;
using FedLearn.Privacy;
using FedLearn.Training;

namespace FedLearn.Benchmarks.Training;

/// <summary>
/// Model quality of one participant holding a whole dataset (issue 5): non-private minibatch SGD with
/// <see cref="LocalTrainer"/> or DP-SGD with <see cref="DpSgdTrainer"/> at a noise multiplier calibrated to a target ε,
/// test accuracy after every epoch, and the ε actually spent under both accountants. In process, no coordinator.
/// </summary>
public static class QualityBenchmark
{
    public static QualityBenchmarkResult Run(
        QualityBenchmarkOptions options,
        IProgress<QualityEpoch>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var train = IdxDatasetLoader.LoadDirectory(options.DataDirectory, "train");
        var test = IdxDatasetLoader.LoadDirectory(options.DataDirectory, "t10k");
        return Run(options, train, test, progress, ct);
    }

    public static QualityBenchmarkResult Run(
        QualityBenchmarkOptions options,
        Dataset train,
        Dataset test,
        IProgress<QualityEpoch>? progress = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options.Validate();
        var spec = options.Model;
        var weights = ModelInitializer.Initialize(spec, options.Seed);
        using var evaluator = new ModelEvaluator(spec);
        var epochs = new List<QualityEpoch>(options.Epochs);
        var clock = Stopwatch.StartNew();
        var steps = 0;

        void EndEpoch(int epoch)
        {
            var evaluation = evaluator.Evaluate(weights, test);
            var figures = new QualityEpoch(epoch, evaluation.Accuracy, evaluation.Loss, steps, clock.Elapsed.TotalSeconds);
            epochs.Add(figures);
            progress?.Report(figures);
        }

        if (!options.Dp)
        {
            using var trainer = new LocalTrainer(spec);
            for (var epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var epochOptions = new TrainingOptions(1, options.BatchSize, options.LearningRateAt(epoch - 1));
                steps += trainer.Train(weights, train, epochOptions, ct: ct).Steps;
                EndEpoch(epoch);
            }

            return Result(options, spec, train, test, steps, null, null, epochs, clock.Elapsed);
        }

        var sigma = CalibrateNoiseMultiplier(options, train.Count);
        var dpOptions = new DpSgdOptions(1, options.BatchSize, options.LearningRate, options.ClipNorm, sigma);
        var q = dpOptions.SamplingRate(train.Count);
        using (var dpTrainer = new DpSgdTrainer(spec))
        {
            for (var epoch = 1; epoch <= options.Epochs; epoch++)
            {
                var epochOptions = dpOptions with { LearningRate = options.LearningRateAt(epoch - 1) };
                steps += dpTrainer.Train(weights, train, epochOptions, ct: ct).Steps;
                EndEpoch(epoch);
            }
        }

        return Result(options, spec, train, test, steps, q, sigma, epochs, clock.Elapsed);
    }

    /// <summary>
    /// The σ with which the planned run, <see cref="QualityBenchmarkOptions.Epochs"/> × ⌈N/B⌉ steps at q = B/N, meets
    /// the target ε at δ under the chosen accountant (the smallest such σ within 0.1%).
    /// </summary>
    public static double CalibrateNoiseMultiplier(QualityBenchmarkOptions options, int trainExamples)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(trainExamples, 1);
        var plan = new DpSgdOptions(options.Epochs, options.BatchSize, options.LearningRate, options.ClipNorm, 1.0);
        return NoiseCalibrator.CalibrateNoiseMultiplier(
            options.TargetEpsilon,
            options.Delta,
            plan.SamplingRate(trainExamples),
            plan.Epochs * plan.StepsPerEpoch(trainExamples),
            options.Accountant);
    }

    private static QualityBenchmarkResult Result(
        QualityBenchmarkOptions options,
        ModelSpec spec,
        Dataset train,
        Dataset test,
        int steps,
        double? q,
        double? sigma,
        List<QualityEpoch> epochs,
        TimeSpan elapsed)
    {
        double? rdp = null, pld = null;
        if (q is { } rate && sigma is { } noise)
        {
            var spent = new DpTrainingResult(double.NaN, double.NaN, 0, steps, 0, rate, noise);
            rdp = DpSgdAccounting.Epsilon(spent, options.Delta, AccountantKind.Rdp);
            pld = DpSgdAccounting.Epsilon(spent, options.Delta, AccountantKind.Pld);
        }

        var last = epochs[^1];
        return new QualityBenchmarkResult(
            options, spec.ToString(), train.Count, test.Count, steps, q, sigma, rdp, pld,
            last.TestAccuracy, last.TestLoss, elapsed.TotalSeconds, epochs);
    }
}
