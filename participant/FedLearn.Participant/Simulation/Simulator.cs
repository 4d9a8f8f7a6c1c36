using System.Diagnostics;
using FedLearn.Participant.Work;

namespace FedLearn.Participant.Simulation;

/// <summary>Loads a population, runs it with a progress line until cancelled or idle, and prints the summary.</summary>
public static class Simulator
{
    /// <returns>0 when it ran (and stopped as asked), 2 when the population could not be loaded, 1 when the coordinator refused every member.</returns>
    public static async Task<int> RunAsync(
        IReadOnlyList<PopulationMember> members, SimulationOptions options, Serilog.ILogger logger, string logPath, CancellationToken ct)
    {
        var loading = Stopwatch.StartNew();
        SimulatedPopulation population;
        try
        {
            population = SimulatedPopulation.Load(members, options, logger);
        }
        catch (InvalidDataException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        using (population)
        {
            var resident = ProcessMemory.ResidentBytes();
            await Console.Error.WriteLineAsync(
                $"Loaded {population.Count} participants ({population.Examples} examples) in {loading.Elapsed.TotalSeconds:F1} s; " +
                $"{options.MaxTrainings} trainings and {options.MaxTransfers} transfers at once; participants' log: {logPath}");
            var progress = new SimulationProgress(population.Resources, population.Count, Console.Error, !Console.IsErrorRedirected);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
            var run = population.RunAsync(stop.Token);
            var started = false;
            while (!run.IsCompleted && !stop.IsCancellationRequested)
            {
                await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
                progress.Tick();
                if (!started && population.Resources.Tally.Connected >= population.Count)
                {
                    // Every stream is open: what the population holds before its first round.
                    started = true;
                    resident = ProcessMemory.ResidentBytes();
                }
                if (options.ExitAfterIdle is { } limit && progress.IdleFor > limit)
                {
                    await stop.CancelAsync();
                }
            }
            // The summary first: closing thousands of connections takes a while on a loaded machine.
            progress.Tick();
            progress.Finish();
            Console.WriteLine(progress.Summary(Process.GetCurrentProcess().TotalProcessorTime - cpuAtStart, resident));
            var refused = await run;
            if (refused > 0)
            {
                await Console.Error.WriteLineAsync($"{refused} participants were refused by the coordinator and stopped; see {logPath}.");
            }
            return refused == population.Count && population.Count > 0 ? 1 : 0;
        }
    }
}
