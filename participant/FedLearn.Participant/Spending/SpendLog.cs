using System.Text.Json;
using FedLearn.Participant.Policy;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Spending;

/// <summary>
/// The participant's own append-only record of the privacy it spent (JSON Lines). A line is written and flushed to disk
/// before anything derived from a round's training leaves the machine: a spend recorded but never made is safe, a spend
/// made but not recorded is not. The file is only ever appended to; on Unix it is created with mode 600.
/// Several daemons may share one log (one data owner, several datasets in one directory): an append holds an exclusive
/// lock on the file while it positions at the end and writes, and a read holds a shared lock, so lines never overlap
/// and a reader never sees half a line. (.NET does not open with O_APPEND: without the lock two daemons appending at
/// once write at the same offset and corrupt each other's lines.)
/// </summary>
public sealed class SpendLog
{
    /// <summary>The file name of the default log, written in the directory that holds the local data.</summary>
    public const string DefaultFileName = "fedlearn-spent.jsonl";

    /// <summary>How long an append or read waits for another daemon's append to finish before giving up.</summary>
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _time;
    private readonly Lock _gate = new();

    private SpendLog(string path, TimeProvider time)
    {
        Path = path;
        _time = time;
    }

    public string Path { get; }

    /// <summary>
    /// The default log for <paramref name="dataPath"/>: privacy is spent on the data, so the record lives beside it
    /// (<c>/data/participant-00</c> → <c>/data/fedlearn-spent.jsonl</c>; <c>/x/train.csv</c> → <c>/x/fedlearn-spent.jsonl</c>).
    /// </summary>
    public static string DefaultPathFor(string dataPath)
    {
        var full = System.IO.Path.GetFullPath(dataPath).TrimEnd(System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar);
        var parent = System.IO.Path.GetDirectoryName(full) ?? full;
        return System.IO.Path.Combine(parent, DefaultFileName);
    }

    /// <summary>Opens (creating if needed, with its directory) the log for appending. Nothing in it is changed.</summary>
    /// <exception cref="IOException">The file cannot be created or opened for appending.</exception>
    public static SpendLog Open(string path, TimeProvider? time = null)
    {
        var full = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(full);
        try
        {
            if (directory is not null)
            {
                Directory.CreateDirectory(directory);
            }
            using (OpenLocked(full, forAppend: true))
            {
            }
        }
        catch (UnauthorizedAccessException e)
        {
            throw new IOException($"Cannot open the spend log '{full}' for appending: {e.Message}", e);
        }
        return new SpendLog(full, time ?? TimeProvider.System);
    }

    /// <summary>Records that an update for <paramref name="task"/> is about to be sent; returns the line written.</summary>
    public SpendRecord Append(RoundTask task, string participantId, PolicyDecision decision, ExampleSpend? example = null)
    {
        var record = Record(_time.GetUtcNow(), task, participantId, decision, example);
        Append(record);
        return record;
    }

    /// <summary>The line that records an attempt of <paramref name="task"/> trained for under <paramref name="decision"/>.</summary>
    public static SpendRecord Record(DateTimeOffset time, RoundTask task, string participantId, PolicyDecision decision, ExampleSpend? example)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(decision);
        var p = task.Privacy;
        return new SpendRecord(
            time, participantId, task.SessionId, task.Round, task.Attempt,
            p?.Mechanism ?? SpendRecord.NoMechanism,
            p?.SamplingRate, p?.NoiseMultiplier, p?.ClipNorm, p?.Delta, p?.EpsilonBudget,
            p is null ? null : decision.ProjectedEpsilon, p is null ? null : decision.Accountant,
            task.EpsilonSpent, example,
            decision.Coordinator?.NoiseMultiplier, decision.Coordinator?.Epsilon, decision.Coordinator?.NoGuarantee,
            string.IsNullOrEmpty(task.LedgerKeySha256) ? null : task.LedgerKeySha256);
    }

    public void Append(SpendRecord record)
    {
        var line = System.Text.Encoding.UTF8.GetBytes(JsonSerializer.Serialize(record, SpendLogJsonContext.Default.SpendRecord) + "\n");
        lock (_gate)
        {
            // Opened under the exclusive lock, so the append position is the end as every other daemon left it.
            using var stream = OpenLocked(Path, forAppend: true);
            stream.Seek(0, SeekOrigin.End);
            stream.Write(line);
            stream.Flush(flushToDisk: true);
        }
    }

    public IReadOnlyList<SpendRecord> ReadAll() => Read(Path);

    /// <summary>Reads every line of a spend log; a missing file is an empty log.</summary>
    /// <exception cref="InvalidDataException">A line is not a spend record; the message names the file and line.</exception>
    public static IReadOnlyList<SpendRecord> Read(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }
        var records = new List<SpendRecord>();
        var number = 0;
        using var reader = new StreamReader(OpenLocked(path, forAppend: false));
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }
            try
            {
                records.Add(JsonSerializer.Deserialize(line, SpendLogJsonContext.Default.SpendRecord)
                            ?? throw new JsonException("the line is null, not a spend record"));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"Spend log '{path}' line {number} is not a spend record: {e.Message}", e);
            }
        }
        return records;
    }

    /// <summary>
    /// Opens the log for appending under an exclusive lock, or for reading under a shared one (.NET maps FileShare.None
    /// to flock LOCK_EX and other shares to LOCK_SH on Unix, and to share modes on Windows). Another daemon's lock is
    /// waited out for up to <see cref="LockTimeout"/>.
    /// </summary>
    /// <exception cref="IOException">The log stayed locked, or cannot be opened.</exception>
    private static FileStream OpenLocked(string path, bool forAppend)
    {
        var options = forAppend
            ? new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 }
            : new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read };
        if (forAppend && !OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        var giveUpAt = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, options);
            }
            catch (IOException e) when (IsSharingViolation(e) && DateTime.UtcNow < giveUpAt)
            {
                Thread.Sleep(Random.Shared.Next(2, 20));
            }
            catch (IOException e) when (IsSharingViolation(e))
            {
                throw new IOException($"The spend log '{path}' stayed locked by another process for {LockTimeout.TotalSeconds:F0} s.", e);
            }
        }
    }

    /// <summary>
    /// A lock held by another open of the file, as opposed to a missing file or a permission problem: .NET reports flock
    /// contention as a plain IOException whose HResult is errno EWOULDBLOCK (11 on Linux, 35 on macOS), and a Windows
    /// sharing or lock violation as HRESULT 0x80070020 / 0x80070021.
    /// </summary>
    private static bool IsSharingViolation(IOException e) =>
        e.GetType() == typeof(IOException)
        && (OperatingSystem.IsWindows() ? (e.HResult & 0xFFFF) is 32 or 33
            : OperatingSystem.IsMacOS() ? e.HResult == 35
            : e.HResult == 11);
}
