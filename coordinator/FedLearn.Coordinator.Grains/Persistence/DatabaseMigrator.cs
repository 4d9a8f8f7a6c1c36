using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>
/// Applies the versioned SQL migrations embedded in this assembly (Persistence/Migrations/NNN_name.sql), each in its own
/// transaction, under an advisory lock so that several coordinators starting together do not race.
/// </summary>
public sealed partial class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
    private const string ResourcePrefix = "FedLearn.Migrations.";

    // Any constant shared by all FedLearn coordinators; it only has to differ from other applications' locks.
    private const long AdvisoryLockKey = 0x466564_4c6561726e;

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version     integer     PRIMARY KEY,
                    name        text        NOT NULL,
                    applied_at  timestamptz NOT NULL DEFAULT now())
                """, cancellationToken);
            var applied = await LoadAppliedVersionsAsync(connection, cancellationToken);
            foreach (var migration in LoadMigrations().Where(m => !applied.Contains(m.Version)))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await ExecuteAsync(connection, transaction, migration.Sql, cancellationToken);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new() { Value = migration.Version });
                    record.Parameters.Add(new() { Value = migration.Name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                LogApplied(migration.Version, migration.Name);
            }
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>
    /// The versions not yet applied, read without changing anything: a coordinator connecting as a role that may not
    /// change the schema checks it is current instead of migrating.
    /// </summary>
    public async Task<IReadOnlyList<int>> PendingVersionsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT to_regclass('schema_migrations') IS NOT NULL", connection);
        var applied = await exists.ExecuteScalarAsync(cancellationToken) is true
            ? await LoadAppliedVersionsAsync(connection, cancellationToken)
            : [];
        return [.. LoadMigrations().Select(m => m.Version).Where(v => !applied.Contains(v))];
    }

    internal static IReadOnlyList<Migration> LoadMigrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        List<Migration> migrations = [.. assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => Migration.FromResource(assembly, n, n[ResourcePrefix.Length..]))
            .OrderBy(m => m.Version)];
        // Two files with one version number would apply the first and then fail on schema_migrations' key (or, on a
        // database that has the first, silently skip the second): refuse the build's migrations outright instead.
        if (migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1) is { } clash)
        {
            throw new InvalidOperationException(
                $"Migrations {string.Join(" and ", clash.Select(m => $"'{m.Name}'"))} share version {clash.Key}; each needs its own number.");
        }
        return migrations;
    }

    private static async Task<HashSet<int>> LoadAppliedVersionsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var versions = new HashSet<int>();
        while (await reader.ReadAsync(ct))
        {
            versions.Add(reader.GetInt32(0));
        }
        return versions;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied database migration {Version} ({Name})")]
    private partial void LogApplied(int version, string name);

    internal sealed record Migration(int Version, string Name, string Sql)
    {
        public static Migration FromResource(Assembly assembly, string resourceName, string fileName)
        {
            var underscore = fileName.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(fileName[..underscore], out var version))
            {
                throw new InvalidOperationException($"Migration '{fileName}' must be named NNN_description.sql.");
            }
            using var stream = assembly.GetManifestResourceStream(resourceName)
                ?? throw new InvalidOperationException($"Migration resource '{resourceName}' is missing.");
            using var reader = new StreamReader(stream);
            return new Migration(version, fileName[(underscore + 1)..^4], reader.ReadToEnd());
        }
    }
}
