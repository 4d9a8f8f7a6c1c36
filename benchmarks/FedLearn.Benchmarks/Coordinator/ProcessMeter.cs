using System.Globalization;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// CPU time and memory of another process, read from Linux's /proc: user + system time from /proc/PID/stat (fields 14 and
/// 15, in clock ticks) and the resident set (VmRSS) and its peak (VmHWM) from /proc/PID/status.
/// </summary>
internal static class ProcessMeter
{
    /// <summary>/proc reports times in USER_HZ ticks, which Linux fixes at 100 per second on every architecture it exports it for.</summary>
    private const double TicksPerSecond = 100;

    /// <summary>User plus system CPU seconds the process has used so far (all its threads).</summary>
    public static double CpuSeconds(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        // fields[0] is field 3 (state), so utime (14) and stime (15) are fields[11] and fields[12].
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return ticks / TicksPerSecond;
    }

    /// <summary>Resident memory now and its peak so far, in bytes.</summary>
    public static (long Resident, long Peak) Memory(int pid)
    {
        long resident = 0, peak = 0;
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                resident = Kilobytes(line);
            }
            else if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
        }
        return (resident, peak);
    }

    private static long Kilobytes(string line) =>
        1024 * long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
}

/// <summary>Samples a process's CPU seconds every few milliseconds, so CPU between any two instants can be read afterwards.</summary>
internal sealed class CpuTimeline : IAsyncDisposable
{
    private readonly List<(DateTimeOffset At, double Cpu)> _samples = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly int _pid;

    public CpuTimeline(int pid, TimeSpan period)
    {
        _pid = pid;
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(period);
            do
            {
                Sample();
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        });
    }

    private void Sample()
    {
        try
        {
            var cpu = ProcessMeter.CpuSeconds(_pid);
            lock (_samples)
            {
                _samples.Add((DateTimeOffset.UtcNow, cpu));
            }
        }
        catch (IOException)
        {
            // The process ended.
        }
    }

    /// <summary>CPU seconds used up to <paramref name="at"/>, interpolated between the samples around it.</summary>
    public double At(DateTimeOffset at)
    {
        lock (_samples)
        {
            if (_samples.Count == 0)
            {
                return 0;
            }
            var after = _samples.FindIndex(s => s.At >= at);
            if (after < 0)
            {
                return _samples[^1].Cpu;
            }
            if (after == 0)
            {
                return _samples[0].Cpu;
            }
            var (t0, c0) = _samples[after - 1];
            var (t1, c1) = _samples[after];
            var span = (t1 - t0).TotalSeconds;
            return span <= 0 ? c1 : c0 + ((c1 - c0) * (at - t0).TotalSeconds / span);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
        _stop.Dispose();
    }
}
