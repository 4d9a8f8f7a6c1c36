using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FedLearn.Privacy;

namespace FedLearn.Benchmarks.Accounting;

/// <summary>
/// <c>fedlearn-bench accountants</c>: how long the RDP and PLD accountants take for ε at δ = 1e-5 over 10,000 rounds of
/// heterogeneous schedules; figures are recorded in shared/FedLearn.Privacy/README.md ("Speed").
/// </summary>
internal static class AccountantBenchCommand
{
    public static Command Create()
    {
        var command = new Command("accountants", "Time epsilon over 10,000 heterogeneous rounds with the RDP and PLD accountants (median after a warm-up).");
        command.SetAction(_ =>
        {
            Measure("2 groups: q alternates 0.01/0.02, sigma 1.1", i => new(i % 2 == 0 ? 0.01 : 0.02, 1.1));
            Measure("10 groups: sigma decays 1.5 -> 0.6 in 10 phases, q 0.01", i => new(0.01, 1.5 - 0.1 * (i / 1000)));
            Measure("20 groups: 10 sigma phases x 2 cohort sizes", i => new(i % 2 == 0 ? 0.01 : 0.02, 1.5 - 0.1 * (i / 1000)));
            return BenchCli.Success;
        });
        return command;
    }

    private static void Measure(string label, Func<int, SubsampledGaussianStep> schedule)
    {
        var steps = Enumerable.Range(0, 10_000).Select(schedule).ToArray();
        foreach (var accountant in new IPrivacyAccountant[] { new RdpAccountant(), new PldAccountant() })
        {
            accountant.GetEpsilon(steps, 1e-5); // warm-up (JIT)
            // Median of several runs: the VM is shared, and a single slow run should not set the figure.
            var runs = accountant is RdpAccountant ? 31 : 5;
            var times = new double[runs];
            var epsilon = 0.0;
            for (var r = 0; r < runs; r++)
            {
                var watch = Stopwatch.StartNew();
                epsilon = accountant.GetEpsilon(steps, 1e-5);
                times[r] = watch.Elapsed.TotalMilliseconds;
            }

            Array.Sort(times);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{label} | {accountant.Name}: eps={epsilon:G6} at delta=1e-5, median {times[runs / 2]:F1} ms "
                + $"(min {times[0]:F1}, max {times[^1]:F1}, {runs} runs)"));
        }
    }
}
