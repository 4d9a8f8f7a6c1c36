using System.Security.Cryptography;
using Npgsql;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database for one test class, created through the admin connection in FEDLEARN_TEST_DB and dropped
/// afterwards. Without FEDLEARN_TEST_DB the tests fail under CI=true and are skipped elsewhere (scripts/test.sh sets it).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private TestDatabase(string adminConnectionString, string name)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = name, Pooling = false }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The role the test coordinators connect as: it owns nothing (the admin connection owns the schema).</summary>
    public const string CoordinatorRole = "fedlearn_test_coordinator";

    /// <summary>This database as <see cref="CoordinatorRole"/>.</summary>
    public string CoordinatorConnectionString =>
        CoordinatorConnectionStringFor(ConnectionString);

    public static string CoordinatorConnectionStringFor(string ownerConnectionString) =>
        new NpgsqlConnectionStringBuilder(ownerConnectionString) { Username = CoordinatorRole, Password = CoordinatorRole }.ConnectionString;

    public static async Task<TestDatabase> CreateAsync()
    {
        var admin = Environment.GetEnvironmentVariable("FEDLEARN_TEST_DB");
        if (string.IsNullOrWhiteSpace(admin))
        {
            const string why = "FEDLEARN_TEST_DB is not set; run the tests with scripts/test.sh, which starts PostgreSQL and sets it.";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException(why);
            }
            Assert.Skip(why);
        }
        var name = "fedlearn_test_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
            await EnsureLoginRoleAsync(connection, CoordinatorRole);
        }
        return new TestDatabase(admin!, name);
    }

    /// <summary>
    /// Creates a cluster-wide login role whose password is its name, unless it exists (test classes create roles
    /// concurrently; the loser's error is harmless).
    /// </summary>
    public static async Task EnsureLoginRoleAsync(NpgsqlConnection admin, string role)
    {
        await using var create = new NpgsqlCommand($"""
            DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{role}') THEN
                    CREATE ROLE {role} LOGIN PASSWORD '{role}' NOSUPERUSER NOCREATEDB NOCREATEROLE;
                END IF;
            END $$
            """, admin);
        try
        {
            await create.ExecuteNonQueryAsync();
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.UniqueViolation)
        {
            // Another test class created it at the same moment.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
