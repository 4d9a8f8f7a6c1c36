using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Training;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// A whole federation for one test class: a fresh database, the real coordinator evaluating on a synthetic test set,
/// and in-process participants each holding its own synthetic CSV shard.
/// </summary>
internal sealed class TestFederation : IAsyncDisposable
{
    private readonly List<InProcessParticipant> _participants = [];

    private TestFederation(string dataDirectory, TestDatabase database, TestCoordinator coordinator, string testSet)
    {
        DataDirectory = dataDirectory;
        Database = database;
        Coordinator = coordinator;
        TestSet = testSet;
    }

    public string DataDirectory { get; }

    public TestDatabase Database { get; }

    public TestCoordinator Coordinator { get; private set; }

    /// <summary>The held-out CSV the coordinator evaluates every round on.</summary>
    public string TestSet { get; }

    public static async Task<TestFederation> StartAsync(
        int participants, int examplesEach, string idPrefix, IReadOnlyDictionary<string, string?>? coordinatorSettings = null,
        TestOnlyNoise? testNoise = null)
    {
        var dataDirectory = Directory.CreateTempSubdirectory("fedlearn-test-").FullName;
        var database = await TestDatabase.CreateAsync();
        var (shards, testSet) = SyntheticData.Write(dataDirectory, participants, examplesEach);
        var federation = new TestFederation(dataDirectory, database, await TestCoordinator.StartAsync(database.ConnectionString, testSet, settings: coordinatorSettings, testNoise: testNoise), testSet);
        for (var i = 0; i < shards.Length; i++)
        {
            federation._participants.Add(new InProcessParticipant(federation.Coordinator.Address, $"{idPrefix}{i}", CsvDatasetLoader.Load(shards[i])));
        }
        return federation;
    }

    /// <summary>
    /// Stops the coordinator in the middle of whatever it is doing and starts a new one on the same database, port,
    /// federation CA and ledger key, as a restart after a crash would; the participants reconnect on their own.
    /// </summary>
    public async Task RestartCoordinatorAsync()
    {
        var port = Coordinator.Address.Port;
        var federation = Coordinator.FederationDirectory;
        await Coordinator.DisposeKeepingFederationAsync();
        Coordinator = await TestCoordinator.StartAsync(Database.ConnectionString, TestSet, port: port, federationDirectory: federation);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var participant in _participants)
        {
            await participant.DisposeAsync();
        }
        await Coordinator.DisposeAsync();
        await Database.DisposeAsync();
        Directory.Delete(DataDirectory, recursive: true);
    }
}
