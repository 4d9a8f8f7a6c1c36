using System.Diagnostics;
using System.Globalization;
using FedLearn.Participant.Work;

namespace FedLearn.Participant.Simulation;

/// <summary>
/// The live line of <c>simulate</c> (connected streams, tasks, updates accepted and the rate over the last few seconds,
/// trainings and transfers under way, resident memory) and the closing summary. On a terminal it redraws in place;
/// piped, it prints a line every few seconds.
/// </summary>
public sealed class SimulationProgress(RoundResources resources, int participants, TextWriter output, bool interactive)
{
    private static readonly TimeSpan RateWindow = TimeSpan.FromSeconds(5);
    private readonly Queue<(TimeSpan At, long Accepted)> _recent = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _lastLength;
    private TimeSpan? _lastPrinted;
    private long _lastTasks;
    private TimeSpan _lastTaskAt;
    private TimeSpan? _firstTaskAt;
    private TimeSpan _lastAnswerAt;
    private long _lastAnswered;

    /// <summary>Time since the last new task, once there was one, while nothing is under way; null before the first task.</summary>
    public TimeSpan? IdleFor
    {
        get
        {
            var tally = resources.Tally;
            var answered = tally.Accepted + tally.Refused + tally.Declined + tally.Failed;
            if (_firstTaskAt is null || answered < tally.Tasks)
            {
                return null;
            }
            return _clock.Elapsed - (_lastTaskAt > _lastAnswerAt ? _lastTaskAt : _lastAnswerAt);
        }
    }

    /// <summary>Samples the tally; call about once a second.</summary>
    public void Tick()
    {
        var now = _clock.Elapsed;
        var tally = resources.Tally;
        var tasks = tally.Tasks;
        if (tasks != _lastTasks)
        {
            _firstTaskAt ??= now;
            _lastTasks = tasks;
            _lastTaskAt = now;
        }
        var answered = tally.Accepted + tally.Refused + tally.Declined + tally.Failed;
        if (answered != _lastAnswered)
        {
            _lastAnswered = answered;
            _lastAnswerAt = now;
        }
        _recent.Enqueue((now, tally.Accepted));
        while (_recent.Count > 1 && now - _recent.Peek().At > RateWindow)
        {
            _recent.Dequeue();
        }
        if (!interactive && _lastPrinted is { } printed && now - printed < RateWindow)
        {
            return;
        }
        _lastPrinted = now;
        var (since, acceptedThen) = _recent.Peek();
        var rate = now > since ? (tally.Accepted - acceptedThen) / (now - since).TotalSeconds : 0;
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[simulate] {tally.Connected}/{participants} connected | tasks {tally.Tasks} | accepted {tally.Accepted} ({rate:F1}/s) | refused {tally.Refused} | declined {tally.Declined} | failed {tally.Failed} | training {resources.Trainers.Running}/{resources.Trainers.MaxConcurrent} | transfers {resources.Transfers}/{resources.MaxTransfers} | RSS {Gigabytes(ProcessMemory.ResidentBytes())}");
        if (interactive)
        {
            output.Write('\r' + line.PadRight(_lastLength));
            _lastLength = line.Length;
        }
        else
        {
            output.WriteLine(line);
        }
    }

    /// <summary>The closing summary: totals, the mean rate from the first task to the last answer, CPU per update, memory.</summary>
    public string Summary(TimeSpan processorTime, long residentAfterStart)
    {
        var tally = resources.Tally;
        var active = _firstTaskAt is { } first ? _lastAnswerAt - first : TimeSpan.Zero;
        var rate = active > TimeSpan.Zero ? tally.Accepted / active.TotalSeconds : 0;
        var cpuPerUpdate = tally.Accepted > 0 ? processorTime.TotalMilliseconds / tally.Accepted : double.NaN;
        return string.Create(CultureInfo.InvariantCulture,
            $"""
             participants   {participants}
             tasks          {tally.Tasks} (accepted {tally.Accepted}, refused {tally.Refused}, declined {tally.Declined}, failed {tally.Failed})
             rate           {rate:F1} accepted updates/s over {active.TotalSeconds:F1} s from the first task to the last answer
             cpu            {processorTime.TotalSeconds:F1} s in this process ({cpuPerUpdate:F2} ms per accepted update)
             memory         RSS {Gigabytes(residentAfterStart)} once started, peak {Gigabytes(ProcessMemory.PeakResidentBytes())}
             """);
    }

    public void Finish()
    {
        if (interactive)
        {
            output.WriteLine();
        }
    }

    private static string Gigabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1e9:F2} GB");
}
