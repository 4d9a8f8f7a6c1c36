using FedLearn.IntegrationTests.Infrastructure;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>
/// The coordinator's database role (what a compromised coordinator could do with its own connection) cannot switch off
/// or get around the append-only ledger and audit log: it owns nothing, so it may not alter, drop or truncate them.
/// </summary>
public sealed class LeastPrivilegeTests : CoordinatorTestBase
{
    [Theory]
    [InlineData("ALTER TABLE ledger_entries DISABLE TRIGGER ALL")]
    [InlineData("DROP TRIGGER audit_log_append_only ON audit_log")]
    [InlineData("TRUNCATE audit_log")]
    [InlineData("UPDATE ledger_headers SET epsilon_budget = 1000")]
    [InlineData("DELETE FROM audit_log")]
    [InlineData("DROP TABLE ledger_entries")]
    [InlineData("CREATE TABLE sneaky (x int)")]
    [InlineData("DELETE FROM schema_migrations")]
    public async Task CoordinatorRole_TriesToGetAroundAppendOnly_PermissionDenied(string sql)
    {
        await using var connection = new NpgsqlConnection(Database.CoordinatorConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);

        var error = await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Ct));

        Assert.Contains(error.SqlState, new[] { PostgresErrorCodes.InsufficientPrivilege });
    }

    [Fact]
    public async Task CoordinatorRole_OwnsNothing()
    {
        await using var connection = new NpgsqlConnection(Database.CoordinatorConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)", connection);

        Assert.Equal(0L, await command.ExecuteScalarAsync(Ct));
    }
}
