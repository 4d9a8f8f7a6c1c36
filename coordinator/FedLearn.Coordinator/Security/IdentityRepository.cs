using Npgsql;

namespace FedLearn.Coordinator.Security;

/// <summary>Identities, enrollment invitations (hashes only) and issued certificates in PostgreSQL.</summary>
internal sealed class IdentityRepository(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Records an invitation for <paramref name="name"/>. A name keeps its role unless it was revoked; inviting a known
    /// name again (lost credentials) is allowed.
    /// </summary>
    public async Task CreateInvitationAsync(string name, string role, byte[] secretHash, DateTimeOffset now, DateTimeOffset expiresAt,
        string by, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var existing = new NpgsqlCommand("SELECT role, status FROM identities WHERE name = $1 FOR UPDATE", connection, transaction))
        {
            existing.Parameters.Add(new() { Value = name });
            await using var reader = await existing.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct) && reader.GetString(1) != "revoked" && reader.GetString(0) != role)
            {
                throw new InvalidOperationException($"'{name}' is already a {reader.GetString(0)}; a name has one role (revoke it first to change it).");
            }
        }
        await using (var upsert = new NpgsqlCommand("""
            INSERT INTO identities (name, role, status, created_at, updated_at, updated_by) VALUES ($1, $2, 'invited', $3, $3, $4)
            ON CONFLICT (name) DO UPDATE SET role = EXCLUDED.role, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by,
                status = CASE WHEN identities.status = 'enrolled' THEN 'enrolled' ELSE 'invited' END
            """, connection, transaction))
        {
            upsert.Parameters.Add(new() { Value = name });
            upsert.Parameters.Add(new() { Value = role });
            upsert.Parameters.Add(new() { Value = now });
            upsert.Parameters.Add(new() { Value = by });
            await upsert.ExecuteNonQueryAsync(ct);
        }
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO enrollment_invitations (secret_sha256, name, role, created_at, created_by, expires_at) VALUES ($1, $2, $3, $4, $5, $6)
            """, connection, transaction))
        {
            insert.Parameters.Add(new() { Value = secretHash });
            insert.Parameters.Add(new() { Value = name });
            insert.Parameters.Add(new() { Value = role });
            insert.Parameters.Add(new() { Value = now });
            insert.Parameters.Add(new() { Value = by });
            insert.Parameters.Add(new() { Value = expiresAt });
            await insert.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Uses up an invitation: returns its name and role, or the reason it cannot be used (unknown, used, expired,
    /// revoked since). Marking it used and reading it happen in one transaction, so a token works once even when raced.
    /// </summary>
    public async Task<(string? Name, string? Role, string? Refusal)> RedeemAsync(byte[] secretHash, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        string name, role, status;
        DateTimeOffset expiresAt;
        bool used;
        await using (var find = new NpgsqlCommand("""
            SELECT i.name, i.role, i.expires_at, i.used_at IS NOT NULL, d.status
            FROM enrollment_invitations i JOIN identities d ON d.name = i.name
            WHERE i.secret_sha256 = $1 FOR UPDATE OF i
            """, connection, transaction))
        {
            find.Parameters.Add(new() { Value = secretHash });
            await using var reader = await find.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct))
            {
                return (null, null, "the enrollment token is not valid.");
            }
            (name, role, expiresAt, used, status) =
                (reader.GetString(0), reader.GetString(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetBoolean(3), reader.GetString(4));
        }
        if (used)
        {
            return (null, null, "the enrollment token has already been used; ask the operator for a new one.");
        }
        if (expiresAt <= now)
        {
            return (null, null, "the enrollment token has expired; ask the operator for a new one.");
        }
        if (status == "revoked")
        {
            return (null, null, $"'{name}' has been revoked since this token was issued.");
        }
        await using (var use = new NpgsqlCommand("UPDATE enrollment_invitations SET used_at = $2 WHERE secret_sha256 = $1", connection, transaction))
        {
            use.Parameters.Add(new() { Value = secretHash });
            use.Parameters.Add(new() { Value = now });
            await use.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
        return (name, role, null);
    }

    /// <summary>Records a signed certificate and marks its identity enrolled (known to the coordinator from now on).</summary>
    public async Task RecordCertificateAsync(string serialNumber, string name, string role, DateTimeOffset issuedAt, DateTimeOffset notAfter,
        CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO identities (name, role, status, created_at, updated_at, updated_by) VALUES ($1, $2, 'enrolled', $3, $3, $1)
            ON CONFLICT (name) DO UPDATE SET status = 'enrolled', updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
            WHERE identities.status <> 'revoked'
            """) { Parameters = { new() { Value = name }, new() { Value = role }, new() { Value = issuedAt } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            INSERT INTO issued_certificates (serial_number, name, role, issued_at, not_after) VALUES ($1, $2, $3, $4, $5)
            """) { Parameters = { new() { Value = serialNumber }, new() { Value = name }, new() { Value = role }, new() { Value = issuedAt }, new() { Value = notAfter } } });
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Revokes a name and every certificate issued to it; unknown names are a <see cref="KeyNotFoundException"/>.</summary>
    public async Task<IdentityRecordRow> RevokeAsync(string name, string by, DateTimeOffset now, CancellationToken ct)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "UPDATE identities SET status = 'revoked', updated_at = $2, updated_by = $3 WHERE name = $1")
        { Parameters = { new() { Value = name }, new() { Value = now }, new() { Value = by } } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand(
            "UPDATE issued_certificates SET revoked_at = $2 WHERE name = $1 AND revoked_at IS NULL")
        { Parameters = { new() { Value = name }, new() { Value = now } } });
        await batch.ExecuteNonQueryAsync(ct);
        return (await ListAsync(name, ct)).SingleOrDefault()
            ?? throw new KeyNotFoundException($"No participant or user is named '{name}'.");
    }

    /// <summary>Whether the name is revoked or this very certificate was (a certificate issued before a re-invitation stays revoked).</summary>
    public async Task<bool> IsRevokedAsync(string name, string serialNumber, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT EXISTS (SELECT 1 FROM identities WHERE name = $1 AND status = 'revoked')
                OR EXISTS (SELECT 1 FROM issued_certificates WHERE serial_number = $2 AND revoked_at IS NOT NULL)
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = serialNumber });
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Every revoked name and every revoked certificate serial: the whole revocation list in one query.</summary>
    public async Task<(HashSet<string> Names, HashSet<string> Serials)> LoadRevokedAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT 'n', name FROM identities WHERE status = 'revoked'
            UNION ALL SELECT 's', serial_number FROM issued_certificates WHERE revoked_at IS NOT NULL
            """);
        var (names, serials) = (new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            (reader.GetString(0) == "n" ? names : serials).Add(reader.GetString(1));
        }
        return (names, serials);
    }

    public async Task<IReadOnlyList<IdentityRecordRow>> ListAsync(string? name, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.name, d.role, d.status, d.updated_at, (SELECT max(not_after) FROM issued_certificates c WHERE c.name = d.name)
            FROM identities d WHERE $1::text IS NULL OR d.name = $1 ORDER BY d.name
            """);
        command.Parameters.Add(new() { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<IdentityRecordRow>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new IdentityRecordRow(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetFieldValue<DateTimeOffset>(3),
                reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4)));
        }
        return rows;
    }
}
