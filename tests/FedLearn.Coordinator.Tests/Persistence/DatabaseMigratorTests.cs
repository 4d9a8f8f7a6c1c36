using FedLearn.Coordinator.Grains.Persistence;

namespace FedLearn.Coordinator.Tests.Persistence;

public sealed class DatabaseMigratorTests
{
    [Fact]
    public void LoadMigrations_EmbeddedFiles_HaveDistinctIncreasingVersionsFromOne()
    {
        var versions = DatabaseMigrator.LoadMigrations().Select(m => m.Version).ToList();

        // Applied in this order on every database; a gap or a repeated number means two branches picked the same one.
        Assert.Equal(Enumerable.Range(1, versions.Count), versions);
    }
}
