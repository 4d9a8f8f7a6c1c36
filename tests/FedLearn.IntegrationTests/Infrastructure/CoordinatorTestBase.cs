namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// The frame of the integration tests that talk to one real coordinator over a fresh database of their own: both are
/// made before each test and disposed after it. A test class that needs more (a data directory, participants to stop)
/// overrides <see cref="InitializeAsync"/> or <see cref="DisposeAsync"/> and calls the base.
/// </summary>
public abstract class CoordinatorTestBase : IAsyncLifetime
{
    protected TestDatabase Database { get; private set; } = null!;

    protected TestCoordinator Coordinator { get; private set; } = null!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public virtual async ValueTask InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Coordinator = await TestCoordinator.StartAsync(Database.ConnectionString, testData: null);
    }

    public virtual async ValueTask DisposeAsync()
    {
        await Coordinator.DisposeAsync();
        await Database.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
