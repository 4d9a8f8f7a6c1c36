using Npgsql;

namespace FedLearn.Coordinator.Audit;

/// <summary>The audit_reports table (migration 007): one signed report per session, append-only.</summary>
internal sealed class AuditRepository(NpgsqlDataSource dataSource)
{
    public sealed record StoredReport(string SessionId, string ReportJson, string Signature, string PublicKey);

    /// <summary>Stores a report; a session that already has one violates the primary key (FAILED_PRECONDITION at the API).</summary>
    public async Task InsertAsync(string sessionId, DateTimeOffset recordedAt, long ledgerSequence, string ledgerEntryHash,
        string reportJson, string signature, string publicKey, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO audit_reports (session_id, recorded_at, ledger_sequence, ledger_entry_hash, report_json, signature, public_key)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """);
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = recordedAt.UtcDateTime });
        command.Parameters.Add(new() { Value = ledgerSequence });
        command.Parameters.Add(new() { Value = ledgerEntryHash });
        command.Parameters.Add(new() { Value = reportJson });
        command.Parameters.Add(new() { Value = signature });
        command.Parameters.Add(new() { Value = publicKey });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async Task<StoredReport?> FindAsync(string sessionId, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT report_json, signature, public_key FROM audit_reports WHERE session_id = $1");
        command.Parameters.Add(new() { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? new(sessionId, reader.GetString(0), reader.GetString(1), reader.GetString(2)) : null;
    }
}
