using System.CommandLine;
using System.Globalization;
using FedLearn.Privacy;

namespace FedLearn.Benchmarks.Training;

/// <summary>
/// <c>fedlearn-bench quality [--dp] [...] [--json]</c>: test accuracy of MLP 784-hidden-10 trained by one participant on
/// all of Fashion-MNIST (<see cref="QualityBenchmark.Run(QualityBenchmarkOptions, IProgress{QualityEpoch}, CancellationToken)"/>),
/// non-private or DP-SGD with σ calibrated to a target ε. Unset options take the tuned defaults of the mode
/// (<see cref="QualityBenchmarkOptions.Defaults"/>), so the bare commands reproduce docs/benchmarks.md.
/// </summary>
internal static class QualityBenchCommand
{
    public static Command Create()
    {
        var dp = new Option<bool>("--dp") { Description = "Train with DP-SGD (Poisson batches, per-example clipping, CSPRNG noise)." };
        var target = new Option<double>("--target-epsilon") { Description = "DP: the epsilon the planned steps must meet.", DefaultValueFactory = _ => 3.0 };
        var delta = new Option<double>("--delta") { Description = "DP: target delta in (0, 1).", DefaultValueFactory = _ => 1e-5 };
        var accountant = new Option<string>("--accountant") { Description = "DP: accountant that calibrates sigma, rdp or pld.", DefaultValueFactory = _ => "rdp" };
        var epochs = new Option<int?>("--epochs") { Description = "Epochs (default: 30 non-private, 40 DP)." };
        var batch = new Option<int?>("--batch-size") { Description = "Batch size; DP: expected Poisson batch size (default: 64 / 1024)." };
        var rate = new Option<double?>("--learning-rate") { Description = "Base SGD learning rate (default: 0.2 / 4.0)." };
        var schedule = new Option<string>("--lr-schedule") { Description = "Per-epoch learning rate: cosine (annealed from --learning-rate) or constant.", DefaultValueFactory = _ => "cosine" };
        var clip = new Option<double?>("--clip-norm") { Description = "DP: per-example L2 clipping norm C (default: 1.0)." };
        var hidden = new Option<int?>("--hidden") { Description = "Hidden units of the MLP (default: 256)." };
        var activation = new Option<string?>("--activation") { Description = "Hidden activation: relu, tanh or sigmoid (default: relu / tanh)." };
        var seed = new Option<long?>("--seed") { Description = "Seed of the public initial weights (default: 1); batches and noise use the CSPRNG." };
        var data = new Option<string>("--data")
        {
            Description = "Directory holding the IDX train and t10k splits.",
            DefaultValueFactory = _ => TrainingBenchmarkOptions.FashionMnistDirectory,
        };
        var json = BenchCli.JsonOption();
        var command = new Command("quality", "Test accuracy of MLP 784-hidden-10 trained on all of Fashion-MNIST, non-private or (with --dp) DP-SGD at a target epsilon.")
        {
            dp, target, delta, accountant, epochs, batch, rate, schedule, clip, hidden, activation, seed, data, json,
        };
        command.SetAction((parse, ct) => BenchCli.Run(async () =>
        {
            var defaults = QualityBenchmarkOptions.Defaults(parse.GetValue(dp));
            var options = defaults with
            {
                Epochs = parse.GetValue(epochs) ?? defaults.Epochs,
                BatchSize = parse.GetValue(batch) ?? defaults.BatchSize,
                LearningRate = parse.GetValue(rate) ?? defaults.LearningRate,
                Schedule = ParseSchedule(parse.GetValue(schedule)),
                ClipNorm = parse.GetValue(clip) ?? defaults.ClipNorm,
                Hidden = parse.GetValue(hidden) ?? defaults.Hidden,
                Activation = parse.GetValue(activation) ?? defaults.Activation,
                Seed = parse.GetValue(seed) ?? defaults.Seed,
                TargetEpsilon = parse.GetValue(target),
                Delta = parse.GetValue(delta),
                Accountant = ParseAccountant(parse.GetValue(accountant)),
                DataDirectory = parse.GetValue(data)!,
            };
            Validate(options);
            var asJson = parse.GetValue(json);
            var progress = asJson ? null : new SynchronousProgress(e => Console.WriteLine(
                $"epoch {e.Epoch,3}/{options.Epochs}: test accuracy {F(e.TestAccuracy, "0.0000")}, loss {F(e.TestLoss, "0.0000")}, {F(e.Seconds, "0.0")} s"));
            if (!asJson)
            {
                Console.WriteLine(Header(options));
            }

            var result = await Task.Run(() => QualityBenchmark.Run(options, progress, ct), ct);
            Console.WriteLine(asJson ? Json(result) : Summary(result));
            return BenchCli.Success;
        }));
        return command;
    }

    /// <summary>Checks the inputs with messages that name the options, before any data is read.</summary>
    private static void Validate(QualityBenchmarkOptions o)
    {
        Require(o.Epochs >= 1, $"--epochs must be >= 1; got {o.Epochs}.");
        Require(o.BatchSize >= 1, $"--batch-size must be >= 1; got {o.BatchSize}.");
        Require(o.LearningRate > 0 && double.IsFinite(o.LearningRate), $"--learning-rate must be a finite number > 0; got {F(o.LearningRate, "g6")}.");
        Require(o.ClipNorm > 0 && double.IsFinite(o.ClipNorm), $"--clip-norm must be a finite number > 0; got {F(o.ClipNorm, "g6")}.");
        Require(o.Hidden >= 1, $"--hidden must be >= 1; got {o.Hidden}.");
        Require(o.Activation.Trim().ToLowerInvariant() is "relu" or "tanh" or "sigmoid", $"--activation must be relu, tanh or sigmoid; got \"{o.Activation}\".");
        Require(o.TargetEpsilon > 0 && double.IsFinite(o.TargetEpsilon), $"--target-epsilon must be a finite number > 0; got {F(o.TargetEpsilon, "g6")}.");
        Require(o.Delta > 0 && o.Delta < 1, $"--delta must be in (0, 1); got {F(o.Delta, "g6")}.");
        o.Validate();
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    private static LearningRateSchedule ParseSchedule(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "cosine" => LearningRateSchedule.Cosine,
        "constant" => LearningRateSchedule.Constant,
        _ => throw new ArgumentException($"--lr-schedule must be \"cosine\" or \"constant\"; got \"{name}\"."),
    };

    private static AccountantKind ParseAccountant(string? name)
    {
        try
        {
            return Accountants.Parse(name ?? "rdp");
        }
        catch (ArgumentException)
        {
            throw new ArgumentException($"--accountant must be \"rdp\" or \"pld\"; got \"{name}\".");
        }
    }

    private static string Header(QualityBenchmarkOptions o)
    {
        var mode = o.Dp
            ? $"DP-SGD, expected batch {o.BatchSize}, clip {F(o.ClipNorm, "g6")}, target epsilon {F(o.TargetEpsilon, "g6")} at delta {F(o.Delta, "g6")} ({Accountants.Name(o.Accountant)})"
            : $"SGD, batch {o.BatchSize}";
        return $"{o.Model}, {mode}, lr {F(o.LearningRate, "g6")} ({Name(o.Schedule)}), {o.Epochs} epochs, seed {o.Seed}";
    }

    private static string Summary(QualityBenchmarkResult r)
    {
        var line = $"test accuracy {F(r.TestAccuracy, "0.0000")} after {r.Steps} steps on {r.TrainExamples} examples, {F(r.Seconds, "0.0")} s";
        return r.NoiseMultiplier is { } sigma
            ? $"{line}; sigma {F(sigma, "0.####")}, q {F(r.SamplingRate!.Value, "0.######")}, epsilon spent {F(r.EpsilonRdp!.Value, "0.###")} (rdp) / "
                + $"{F(r.EpsilonPld!.Value, "0.###")} (pld) at delta {F(r.Options.Delta, "g6")}"
            : $"{line}; non-private";
    }

    private static string Json(QualityBenchmarkResult r)
    {
        var o = r.Options;
        var members = new[]
        {
            $"\"model\":\"{r.Model}\"",
            $"\"dp\":{(o.Dp ? "true" : "false")}",
            $"\"epochs\":{o.Epochs}",
            $"\"batch_size\":{o.BatchSize}",
            $"\"learning_rate\":{Json(o.LearningRate)}",
            $"\"lr_schedule\":\"{Name(o.Schedule)}\"",
            $"\"clip_norm\":{(o.Dp ? Json(o.ClipNorm) : "null")}",
            $"\"activation\":\"{o.Activation}\"",
            $"\"hidden\":{o.Hidden}",
            $"\"seed\":{o.Seed}",
            $"\"target_epsilon\":{(o.Dp ? Json(o.TargetEpsilon) : "null")}",
            $"\"delta\":{(o.Dp ? Json(o.Delta) : "null")}",
            $"\"accountant\":{(o.Dp ? $"\"{Accountants.Name(o.Accountant)}\"" : "null")}",
            $"\"train_examples\":{r.TrainExamples}",
            $"\"test_examples\":{r.TestExamples}",
            $"\"sampling_rate\":{Json(r.SamplingRate)}",
            $"\"sigma\":{Json(r.NoiseMultiplier)}",
            $"\"steps\":{r.Steps}",
            $"\"epsilon_rdp\":{Json(r.EpsilonRdp)}",
            $"\"epsilon_pld\":{Json(r.EpsilonPld)}",
            $"\"test_accuracy\":{Json(r.TestAccuracy)}",
            $"\"test_loss\":{Json(r.TestLoss)}",
            $"\"epoch_test_accuracy\":[{string.Join(',', r.Epochs.Select(e => Json(e.TestAccuracy)))}]",
            $"\"seconds\":{Json(r.Seconds)}",
        };
        return $"{{{string.Join(',', members)}}}";
    }

    private static string Name(LearningRateSchedule schedule) => schedule == LearningRateSchedule.Cosine ? "cosine" : "constant";


    /// <summary>A JSON number that parses back to the same double; null when absent or not finite.</summary>
    private static string Json(double? value) =>
        value is { } v && double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "null";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    /// <summary>Reports on the training thread, so epoch lines appear in order and before the summary.</summary>
    private sealed class SynchronousProgress(Action<QualityEpoch> report) : IProgress<QualityEpoch>
    {
        public void Report(QualityEpoch value) => report(value);
    }
}
