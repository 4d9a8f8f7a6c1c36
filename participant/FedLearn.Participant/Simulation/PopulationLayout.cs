using FedLearn.Identity;

namespace FedLearn.Participant.Simulation;

/// <summary>
/// Pairs a simulated population's identities with its shards: the i-th credentials directory of the population (by name,
/// as `fedlearn participant enroll-many` writes them) with the i-th shard of the data directory (by name, as
/// `fedlearn-participant split-dataset` writes them), and gives each its own spend log.
/// </summary>
public static class PopulationLayout
{
    /// <summary>The file in a shard directory that replaces the population's policy for that participant.</summary>
    public const string PolicyFileName = "policy.json";

    /// <exception cref="InvalidDataException">There are fewer identities or shards than <paramref name="count"/>; the message says which.</exception>
    public static IReadOnlyList<PopulationMember> Pair(string populationDirectory, string dataDirectory, string spendLogDirectory, int? count)
    {
        if (!Directory.Exists(populationDirectory))
        {
            throw new InvalidDataException(
                $"No population at '{populationDirectory}'. Enroll one first: fedlearn participant enroll-many --count N --out {populationDirectory}");
        }
        if (!Directory.Exists(dataDirectory))
        {
            throw new InvalidDataException(
                $"No shards at '{dataDirectory}'. Split a dataset first: fedlearn-participant split-dataset --source DIR --parts N --out {dataDirectory}");
        }
        var identities = Directory.GetDirectories(populationDirectory).Where(ClientCredentials.Exist).Order(StringComparer.Ordinal).ToList();
        var shards = Shards(dataDirectory);
        var wanted = count ?? shards.Count;
        if (wanted < 1)
        {
            throw new InvalidDataException($"--participants must be at least 1; '{dataDirectory}' holds {shards.Count} shards.");
        }
        if (identities.Count < wanted)
        {
            throw new InvalidDataException(
                $"'{populationDirectory}' holds {identities.Count} enrolled identities, fewer than the {wanted} participants asked for; enroll more with fedlearn participant enroll-many.");
        }
        if (shards.Count < wanted)
        {
            throw new InvalidDataException(
                $"'{dataDirectory}' holds {shards.Count} shards (directories of IDX files or .csv files), fewer than the {wanted} participants asked for.");
        }
        return [.. Enumerable.Range(0, wanted).Select(i => new PopulationMember(
            identities[i],
            shards[i],
            Path.Combine(spendLogDirectory, Path.GetFileName(identities[i]) + ".jsonl"),
            Directory.Exists(shards[i]) && File.Exists(Path.Combine(shards[i], PolicyFileName)) ? Path.Combine(shards[i], PolicyFileName) : null))];
    }

    /// <summary>The shards in <paramref name="dataDirectory"/>, by name: directories holding IDX training labels, and CSV files.</summary>
    public static IReadOnlyList<string> Shards(string dataDirectory) =>
    [
        .. Directory.GetDirectories(dataDirectory)
            .Where(d => File.Exists(Path.Combine(d, "train-labels-idx1-ubyte")) || File.Exists(Path.Combine(d, "train-labels-idx1-ubyte.gz")))
            .Concat(Directory.GetFiles(dataDirectory, "*.csv"))
            .Order(StringComparer.Ordinal),
    ];
}
