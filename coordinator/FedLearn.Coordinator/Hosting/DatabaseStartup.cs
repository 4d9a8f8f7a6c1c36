using FedLearn.Coordinator.Grains.Persistence;
using Microsoft.Extensions.Options;
using Npgsql;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// Brings the schema up to date before the host starts, waiting a while for PostgreSQL to come up. With
/// ConnectionStrings:FedLearnMigrations (the schema owner) the migrations run as that role, the coordinator's own role
/// (ConnectionStrings:FedLearn, owning nothing) is granted its privileges, and the owner's connection is closed again.
/// Without it, a coordinator role that may change the schema migrates as before (one role for everything, logged as a
/// warning), and one that may not only checks that the schema is current.
/// </summary>
public static partial class DatabaseStartup
{
    public const string MigrationsConnectionName = "FedLearnMigrations";

    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<CoordinatorOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILogger<DatabaseMigrator>>();
        var ct = app.Lifetime.ApplicationStopping;
        var giveUpAt = DateTimeOffset.UtcNow.AddSeconds(options.DatabaseStartupTimeoutSeconds);
        var coordinatorConnection = app.Configuration.GetConnectionString("FedLearn")!;
        var migrationsConnection = app.Configuration.GetConnectionString(MigrationsConnectionName);
        while (true)
        {
            try
            {
                if (migrationsConnection is { Length: > 0 })
                {
                    await using var owner = NpgsqlDataSource.Create(migrationsConnection);
                    await new DatabaseMigrator(owner, logger).MigrateAsync(ct);
                    var role = DatabaseRoles.UserOf(coordinatorConnection);
                    if (role != DatabaseRoles.UserOf(migrationsConnection))
                    {
                        await DatabaseRoles.GrantAsync(owner, role, ct);
                        LogLeastPrivilege(logger, role);
                    }
                }
                else
                {
                    await MigrateOrCheckAsync(app.Services, logger, ct);
                }
                await LoadLedgerKeyAsync(app.Services, ct);
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && DateTimeOffset.UtcNow < giveUpAt)
            {
                LogWaiting(logger, e.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), ct);
            }
            catch (NpgsqlException e)
            {
                throw new InvalidOperationException(
                    $"Cannot reach PostgreSQL after {options.DatabaseStartupTimeoutSeconds} s ({e.Message}). Check ConnectionStrings:FedLearn.", e);
            }
        }
    }

    // Any constant shared by all FedLearn coordinators, other than the migrator's.
    private const long LedgerKeyLockKey = 0x466564_4c4b6579;

    /// <summary>
    /// Loads the ledger-signing key now rather than at the first commit, so a key that cannot be read stops the start. The
    /// coordinators of a cluster share one key file (docs/operations.md): the first to start creates it, holding a
    /// PostgreSQL advisory lock so that silos starting together on a shared volume cannot each create a different key.
    /// </summary>
    private static async Task LoadLedgerKeyAsync(IServiceProvider services, CancellationToken ct)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({LedgerKeyLockKey})", connection))
        {
            await take.ExecuteNonQueryAsync(ct);
        }
        try
        {
            services.GetRequiredService<FedLearn.Ledger.LedgerSigner>();
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({LedgerKeyLockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task MigrateOrCheckAsync(IServiceProvider services, ILogger logger, CancellationToken ct)
    {
        var dataSource = services.GetRequiredService<NpgsqlDataSource>();
        var migrator = services.GetRequiredService<DatabaseMigrator>();
        if (await DatabaseRoles.CanChangeSchemaAsync(dataSource, ct))
        {
            await migrator.MigrateAsync(ct);
            LogSingleRole(logger);
            return;
        }
        var pending = await migrator.PendingVersionsAsync(ct);
        if (pending.Count > 0)
        {
            throw new InvalidOperationException(
                $"The database schema is behind (migrations {string.Join(", ", pending)} are not applied) and the coordinator's role may not " +
                $"change it: start once with ConnectionStrings:{MigrationsConnectionName} set to the schema owner's connection (docs/ledger.md).");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Waiting for PostgreSQL: {Reason}")]
    private static partial void LogWaiting(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schema migrated by its owner; the coordinator connects as {Role}, which owns nothing and can only append to the ledger and the audit log")]
    private static partial void LogLeastPrivilege(ILogger logger, string role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The coordinator connects as a role that may change the schema: it could switch off the ledger's append-only triggers. Give the schema to a migration role (ConnectionStrings:FedLearnMigrations) and connect as a role that owns nothing (docs/ledger.md)")]
    private static partial void LogSingleRole(ILogger logger);
}
