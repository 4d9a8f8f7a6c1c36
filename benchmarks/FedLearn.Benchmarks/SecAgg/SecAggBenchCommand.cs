using System.CommandLine;
using System.Globalization;

namespace FedLearn.Benchmarks.SecAgg;

/// <summary>
/// <c>fedlearn-bench secagg --participants N --dimension D --dropout P [--neighbors K] [--json]</c>: one simulated
/// SecAgg+ round in process (<see cref="SecAggBenchmark.Run"/>), coordinator, participant and the AES/vector-add floor
/// measured in the same run; text table or the report's snake_case JSON.
/// </summary>
internal static class SecAggBenchCommand
{
    public static Command Create()
    {
        var participants = new Option<int>("--participants") { Description = "Participants n (≥ 3).", Required = true };
        var dimension = new Option<int>("--dimension") { Description = "Update length d (≥ 1, ≤ 2^26; padded to a power of two).", Required = true };
        var dropout = new Option<double>("--dropout") { Description = "Fraction that drops after sharing keys, in [0, 0.5).", Required = true };
        var neighbors = new Option<int?>("--neighbors") { Description = "Neighbours k (even, 2 ≤ k < n); default: chosen for 2^-40 security at 5% corruption." };
        var json = BenchCli.JsonOption();
        var command = new Command("secagg", "Time one SecAgg+ round with distributed discrete Gaussian noise (coordinator, participant, floor).")
        {
            participants, dimension, dropout, neighbors, json,
        };
        command.SetAction((parse, ct) => BenchCli.Run(async () =>
        {
            var (n, d, p, k) = (parse.GetValue(participants), parse.GetValue(dimension), parse.GetValue(dropout), parse.GetValue(neighbors));
            Validate(n, d, p, k);
            var report = await Task.Run(() => Run(n, d, p, k), ct);
            Console.WriteLine(parse.GetValue(json) ? report.ToJson() : Text(report));
            return report.SumMatchesPlainSum ? BenchCli.Success : BenchCli.Failed;
        }));
        return command;
    }

    /// <summary>An infeasible (n, dropout) for the (k, t) chooser is the user's input, not a crash.</summary>
    private static BenchmarkReport Run(int n, int d, double p, int? k)
    {
        try
        {
            return SecAggBenchmark.Run(n, d, p, k);
        }
        catch (InvalidOperationException e)
        {
            throw new ArgumentException(e.Message, e);
        }
    }

    private static void Validate(int n, int d, double p, int? k)
    {
        if (n < 3)
        {
            throw new ArgumentException($"--participants must be >= 3; got {n}.");
        }

        if (d < 1 || d > 1 << 26)
        {
            throw new ArgumentException($"--dimension must be in [1, 2^26]; got {d}.");
        }

        if (!(p >= 0 && p < 0.5))
        {
            throw new ArgumentException($"--dropout must be in [0, 0.5); got {p.ToString(CultureInfo.InvariantCulture)}.");
        }

        if (k is { } neighbors && (neighbors < 2 || neighbors % 2 != 0 || neighbors >= n))
        {
            throw new ArgumentException($"--neighbors must be even, >= 2 and < --participants; got {neighbors}.");
        }
    }

    private static string Text(BenchmarkReport r)
    {
        var rows = new (string Name, string Value)[]
        {
            ("round", $"n = {r.Participants}, d = {r.Dimension}, dropout {F(r.Dropout, "0.###")}, k = {r.Neighbors}, t = {r.Threshold}"),
            ("survivors / dropped", $"{r.Survivors} / {r.Dropped}"),
            ("coordinator total (1 core)", Ms(r.CoordinatorTotalMs)),
            ("  streaming sum", Ms(r.CoordinatorSumMs)),
            ("  unmask", $"{Ms(r.CoordinatorUnmaskMs)} ({r.CoordinatorMaskExpansions} mask expansions)"),
            ("  floor", $"{Ms(r.FloorCoordinatorMs)} (expand+add {F(r.FloorExpandAddMs, "0.000")} ms, sum of 1000 {Ms(r.FloorSum1000Ms)})"),
            ("participant total", Ms(r.ParticipantTotalMs)),
            ("  encode (clip, rotate, round, noise)", Ms(r.ParticipantEncodeMs)),
            ("  of which noise", Ms(r.ParticipantNoiseMs)),
            ("  mask", Ms(r.ParticipantMaskMs)),
            ("modulus bits", r.ModulusBits.ToString(CultureInfo.InvariantCulture)),
            ("effective sensitivity", F(r.EffectiveSensitivity, "0.######")),
            ("sum matches plain sum", r.SumMatchesPlainSum ? "yes" : "NO"),
            ("AES-NI", r.AesIntrinsics ? "yes" : "no"),
            ("machine", r.Machine),
        };
        var width = rows.Max(row => row.Name.Length);
        return string.Join(Environment.NewLine, rows.Select(row => $"{row.Name.PadRight(width)}  {row.Value}"));
    }

    private static string Ms(double value) => $"{F(value, "0.0")} ms";

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
}
