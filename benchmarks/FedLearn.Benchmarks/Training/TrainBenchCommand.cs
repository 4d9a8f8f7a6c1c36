using System.CommandLine;
using System.Globalization;

namespace FedLearn.Benchmarks.Training;

/// <summary>
/// <c>fedlearn-bench train [--dp] [--json]</c>: measured speed of the local training engine on this machine, printed as
/// text or one JSON object.
/// </summary>
internal static class TrainBenchCommand
{
    public static Command Create()
    {
        var dp = new Option<bool>("--dp") { Description = "Also time DP-SGD (Poisson batches, per-example clipping, CSPRNG noise) in the same run." };
        var data = new Option<string>("--data")
        {
            Description = "Directory holding the IDX training split (train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]).",
            DefaultValueFactory = _ => TrainingBenchmarkOptions.FashionMnistDirectory,
        };
        var batch = new Option<int>("--batch-size") { Description = "Batch size (expected batch size for DP-SGD).", DefaultValueFactory = _ => 256 };
        var repetitions = new Option<int>("--repetitions") { Description = "Timed epochs per mode; medians are reported.", DefaultValueFactory = _ => 5 };
        var json = BenchCli.JsonOption();
        var command = new Command("train", "Examples/s of one epoch of MLP 784-256-10 on one ORT thread, non-private and (with --dp) DP-SGD.")
        {
            dp, data, batch, repetitions, json,
        };
        command.SetAction((parse, ct) => BenchCli.Run(async () =>
        {
            var (size, runs) = (parse.GetValue(batch), parse.GetValue(repetitions));
            if (size < 1 || runs < 1)
            {
                throw new ArgumentException($"--batch-size and --repetitions must be >= 1; got {size} and {runs}.");
            }

            var options = new TrainingBenchmarkOptions(parse.GetValue(data)!, size, runs);
            var result = await Task.Run(() => TrainingBenchmark.Run(parse.GetValue(dp), options, ct), ct);
            Console.WriteLine(parse.GetValue(json) ? Json(result) : Text(result));
            return BenchCli.Success;
        }));
        return command;
    }

    private static string Text(TrainingBenchmarkResult r)
    {
        var lines = new List<string>
        {
            $"{r.Model}, {r.Examples} examples, batch {r.BatchSize}, 1 ORT thread, median of {r.Repetitions} epoch(s):",
            Line(r.NonPrivate),
        };
        if (r.Dp is { } dp)
        {
            lines.Add(Line(dp));
            lines.Add($"  dp-sgd step / sgd step = {F(r.DpStepOverNonPrivateStep!.Value, "0.00")}; CSPRNG noise {F(r.NoiseMillisecondsPerStep!.Value, "0.000")} ms per step");
        }

        return string.Join(Environment.NewLine, lines);

        static string Line(TrainingThroughput t) =>
            $"  {t.Mode,-7} {F(t.MedianExamplesPerSecond, "N0")} examples/s, {F(t.MedianStepMilliseconds, "0.000")} ms/step "
            + $"(runs: {string.Join(", ", t.ExamplesPerSecondRuns.Select(x => F(x, "N0")))})";
    }

    private static string Json(TrainingBenchmarkResult r)
    {
        var members = new List<string>
        {
            $"\"model\":\"{r.Model}\"",
            $"\"examples\":{r.Examples}",
            $"\"batch_size\":{r.BatchSize}",
            $"\"repetitions\":{r.Repetitions}",
            $"\"sgd\":{Json(r.NonPrivate)}",
        };
        if (r.Dp is { } dp)
        {
            members.Add($"\"dp_sgd\":{Json(dp)}");
            members.Add($"\"dp_step_over_sgd_step\":{Json(r.DpStepOverNonPrivateStep!.Value)}");
            members.Add($"\"noise_ms_per_step\":{Json(r.NoiseMillisecondsPerStep!.Value)}");
        }

        return $"{{{string.Join(',', members)}}}";
    }

    private static string Json(TrainingThroughput t) =>
        $"{{\"examples_per_second\":{Json(t.MedianExamplesPerSecond)},\"ms_per_step\":{Json(t.MedianStepMilliseconds)},"
        + $"\"runs_examples_per_second\":[{string.Join(',', t.ExamplesPerSecondRuns.Select(Json))}]}}";

    private static string Json(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
