using FedLearn.Identity;
using Npgsql;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// The audit log in PostgreSQL: appended under a transaction-scoped advisory lock so the chain has one order (a table
/// lock would need UPDATE privilege, which the coordinator's role does not have on this table), never updated (triggers
/// refuse UPDATE, DELETE and TRUNCATE; the primary key refuses a second entry with the same sequence).
/// </summary>
internal sealed class AuditLogRepository(NpgsqlDataSource dataSource, TimeProvider time)
{
    // Any constant; it only has to differ from the migrator's and other applications' locks.
    private const long AppendLockKey = 0x466564_41756474;

    public async Task<AuditRecord> AppendAsync(string actor, string actorRole, string action, string target, string details, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var lockTable = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AppendLockKey})", connection, transaction))
        {
            await lockTable.ExecuteNonQueryAsync(ct);
        }
        long sequence = 1;
        var previous = AuditChain.GenesisHash;
        await using (var last = new NpgsqlCommand("SELECT sequence, entry_hash FROM audit_log ORDER BY sequence DESC LIMIT 1", connection, transaction))
        await using (var reader = await last.ExecuteReaderAsync(ct))
        {
            if (await reader.ReadAsync(ct))
            {
                sequence = reader.GetInt64(0) + 1;
                previous = reader.GetString(1);
            }
        }
        var at = AuditChain.Truncate(time.GetUtcNow());
        var hash = AuditChain.Hash(sequence, at, actor, actorRole, action, target, details, previous);
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO audit_log (sequence, at, actor, actor_role, action, target, details, previous_hash, entry_hash)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            """, connection, transaction))
        {
            foreach (var value in new object[] { sequence, at, actor, actorRole, action, target, details, previous, hash })
            {
                insert.Parameters.Add(new() { Value = value });
            }
            await insert.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return new AuditRecord(sequence, at, actor, actorRole, action, target, details, previous, hash);
    }

    public async Task<IReadOnlyList<AuditRecord>> ListAsync(long afterSequence, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT sequence, at, actor, actor_role, action, target, details, previous_hash, entry_hash
            FROM audit_log WHERE sequence > $1 ORDER BY sequence
            """);
        command.Parameters.Add(new() { Value = afterSequence });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<AuditRecord>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new AuditRecord(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)));
        }
        return entries;
    }
}
