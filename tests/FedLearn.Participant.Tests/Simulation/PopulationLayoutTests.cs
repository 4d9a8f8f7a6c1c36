using FedLearn.Identity;
using FedLearn.Participant.Simulation;

namespace FedLearn.Participant.Tests.Simulation;

public sealed class PopulationLayoutTests
{
    [Fact]
    public void Pair_IdentitiesAndShardsByName_EachGetsItsOwnSpendLogAndPolicyFile()
    {
        using var directory = new TempDirectory();
        var population = Identities(directory, "sim-0002", "sim-0000", "sim-0001");
        var data = Shards(directory, "participant-02", "participant-00", "participant-01");
        File.WriteAllText(Path.Combine(data, "participant-01", PopulationLayout.PolicyFileName), "{}");
        Directory.CreateDirectory(Path.Combine(data, "spend-logs"));

        var members = PopulationLayout.Pair(population, data, directory.File("logs"), count: null);

        Assert.Equal(["sim-0000", "sim-0001", "sim-0002"], members.Select(m => Path.GetFileName(m.CredentialsDirectory)));
        Assert.Equal(["participant-00", "participant-01", "participant-02"], members.Select(m => Path.GetFileName(m.DataPath)));
        Assert.Equal([directory.File("logs/sim-0000.jsonl"), directory.File("logs/sim-0001.jsonl"), directory.File("logs/sim-0002.jsonl")],
            members.Select(m => m.SpendLogPath));
        Assert.Equal([null, Path.Combine(data, "participant-01", PopulationLayout.PolicyFileName), null], members.Select(m => m.PolicyPath));
    }

    [Fact]
    public void Pair_FewerIdentitiesThanAsked_RefusedNamingTheShortfall()
    {
        using var directory = new TempDirectory();
        var population = Identities(directory, "sim-0000", "sim-0001");
        var data = Shards(directory, "participant-00", "participant-01", "participant-02");

        var error = Assert.Throws<InvalidDataException>(() => PopulationLayout.Pair(population, data, directory.File("logs"), count: null));

        Assert.Contains("holds 2 enrolled identities, fewer than the 3 participants asked for", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pair_FewerShardsThanAsked_RefusedNamingTheShortfall()
    {
        using var directory = new TempDirectory();
        var population = Identities(directory, "sim-0000", "sim-0001", "sim-0002");
        var data = Shards(directory, "participant-00");
        File.WriteAllText(Path.Combine(data, "extra.csv"), "x,label\n1,0\n");

        var error = Assert.Throws<InvalidDataException>(() => PopulationLayout.Pair(population, data, directory.File("logs"), count: 3));

        Assert.Contains("holds 2 shards", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Pair_MissingPopulation_TellsHowToEnrollOne()
    {
        using var directory = new TempDirectory();
        var data = Shards(directory, "participant-00");

        var error = Assert.Throws<InvalidDataException>(() => PopulationLayout.Pair(directory.File("nobody"), data, directory.File("logs"), count: 1));

        Assert.Contains("fedlearn participant enroll-many", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Directories that hold the three credential files (their contents are not read here).</summary>
    private static string Identities(TempDirectory directory, params string[] names)
    {
        var population = directory.File("population");
        foreach (var name in names)
        {
            var credentials = Path.Combine(population, name);
            Directory.CreateDirectory(credentials);
            foreach (var file in new[] { ClientCredentials.CaFile, ClientCredentials.CertificateFile, ClientCredentials.KeyFile })
            {
                File.WriteAllText(Path.Combine(credentials, file), "");
            }
        }
        Directory.CreateDirectory(Path.Combine(population, "not-an-identity"));
        return population;
    }

    private static string Shards(TempDirectory directory, params string[] names)
    {
        var data = directory.File("shards");
        foreach (var name in names)
        {
            Directory.CreateDirectory(Path.Combine(data, name));
            File.WriteAllText(Path.Combine(data, name, "train-labels-idx1-ubyte.gz"), "");
        }
        return data;
    }
}
