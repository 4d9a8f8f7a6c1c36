using System.Text.RegularExpressions;
using Npgsql;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// Least privilege in PostgreSQL. The schema belongs to a migration role (ConnectionStrings:FedLearnMigrations) that
/// applies the migrations; the coordinator serves as a role that owns nothing (ConnectionStrings:FedLearn) and gets only
/// what it needs: read and write the working tables, only read and append the ledger and the audit log, only read the
/// SQL of Orleans' membership queries (OrleansQuery: every silo runs it). Because it owns
/// no table it cannot ALTER TABLE … DISABLE TRIGGER, drop the triggers or the tables, so the append-only guarantees hold
/// even against a compromised coordinator. See docs/ledger.md.
/// </summary>
public static partial class DatabaseRoles
{
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}$")]
    private static partial Regex RoleName();

    /// <summary>Grants the coordinator's role its privileges on every table and sequence (run by the schema's owner after migrating).</summary>
    public static async Task GrantAsync(NpgsqlDataSource owner, string role, CancellationToken ct)
    {
        if (!RoleName().IsMatch(role))
        {
            throw new InvalidOperationException($"The coordinator's database user '{role}' is not a plain role name.");
        }
        var quoted = $"\"{role}\"";
        await using var command = owner.CreateCommand($"""
            GRANT USAGE ON SCHEMA public TO {quoted};
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON schema_migrations FROM {quoted};
            REVOKE UPDATE, DELETE, TRUNCATE ON ledger_headers, ledger_entries, audit_log FROM {quoted};
            REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON orleansquery FROM {quoted};
            """);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Whether the connecting role may create tables, i.e. is (or acts as) the schema's owner.</summary>
    public static async Task<bool> CanChangeSchemaAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT has_schema_privilege('public', 'CREATE')");
        return await command.ExecuteScalarAsync(ct) is true;
    }

    public static string UserOf(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Username ?? "";
}
