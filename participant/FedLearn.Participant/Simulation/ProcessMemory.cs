namespace FedLearn.Participant.Simulation;

/// <summary>This process's resident memory, now and at its peak (Linux: /proc/self/status VmRSS and VmHWM).</summary>
public static class ProcessMemory
{
    public static long ResidentBytes() => Read("VmRSS:") ?? Environment.WorkingSet;

    /// <summary>The peak resident set size so far, or the current one where the kernel does not say.</summary>
    public static long PeakResidentBytes() => Read("VmHWM:") ?? Environment.WorkingSet;

    private static long? Read(string field)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    var kilobytes = line[field.Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // Not available: fall back to the runtime's figure.
        }
        return null;
    }
}
