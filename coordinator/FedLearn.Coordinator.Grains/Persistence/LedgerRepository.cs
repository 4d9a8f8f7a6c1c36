using FedLearn.Ledger;
using Npgsql;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>The privacy ledger in PostgreSQL: headers, entries (append-only in the database) and what an export holds.</summary>
public sealed class LedgerRepository(NpgsqlDataSource dataSource)
{
    internal static async Task InsertHeaderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerHeader header, CancellationToken ct)
    {
        var example = header.ExampleLevel;
        await using var command = new NpgsqlCommand("""
            INSERT INTO ledger_headers (session_id, created_at, epsilon_budget, delta, accountant, public_key,
                example_epsilon_budget, example_delta, example_accountant, example_clip_norm, example_noise_multiplier,
                example_expected_batch_size, neighbouring_relation, epsilon_against, against_coordinator, example_epsilon_against,
                accounting_version, example_calibration_attempts, initial_model_sha256, audit_commitment)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = header.SessionId });
        command.Parameters.Add(new() { Value = header.CreatedAt.ToUniversalTime() });
        AddNullable(command, header.EpsilonBudget);
        AddNullable(command, header.Delta);
        AddNullable(command, header.Accountant);
        command.Parameters.Add(new() { Value = header.PublicKey });
        AddNullable(command, example?.EpsilonBudget);
        AddNullable(command, example?.Delta);
        AddNullable(command, example?.Accountant);
        AddNullable(command, example?.ClipNorm);
        AddNullable(command, example?.NoiseMultiplier);
        AddNullable(command, example?.ExpectedBatchSize);
        foreach (var value in new[] { header.NeighbouringRelation, header.EpsilonAgainst, header.AgainstCoordinator, header.ExampleEpsilonAgainst })
        {
            AddNullable(command, value);
        }
        AddNullable(command, header.AccountingVersion);
        AddNullable(command, example?.CalibrationAttempts);
        AddNullable(command, header.InitialModelSha256);
        AddNullable(command, header.AuditCommitment);
        await command.ExecuteNonQueryAsync(ct);
    }

    internal static async Task InsertEntryAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, LedgerEntry e, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO ledger_entries (session_id, sequence, round, recorded_at, mechanism, sampling_rate, noise_multiplier,
                clip_norm, sensitivity, participants_selected, participants_aggregated, delta, epsilon_rdp, epsilon_pld,
                model_sha256, previous_hash, entry_hash, signature, example_epsilon_max, epsilon_against_coordinator_rdp,
                epsilon_against_coordinator_pld, sampler_tv_distance, delta_total, delta_total_against_coordinator,
                dimension, grid_scale, integer_noise_variance, padded_dimension, shamir_threshold, minimum_survivors,
                dropout_allowance, corruption_rate, clip_target_quantile, clip_learning_rate, bit_noise_stddev,
                report_noise_variance, noisy_unclipped_count, assumed_colluders, colluder_tail_probability)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24,
                $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = e.SessionId });
        command.Parameters.Add(new() { Value = e.Sequence });
        command.Parameters.Add(new() { Value = e.Round });
        command.Parameters.Add(new() { Value = e.RecordedAt.ToUniversalTime() });
        command.Parameters.Add(new() { Value = e.Mechanism });
        foreach (var value in new[] { e.SamplingRate, e.NoiseMultiplier, e.ClipNorm, e.Sensitivity })
        {
            AddNullable(command, value);
        }
        command.Parameters.Add(new() { Value = e.ParticipantsSelected });
        command.Parameters.Add(new() { Value = e.ParticipantsAggregated });
        foreach (var value in new[] { e.Delta, e.EpsilonRdp, e.EpsilonPld })
        {
            AddNullable(command, value);
        }
        foreach (var value in new[] { e.ModelSha256, e.PreviousHash, e.EntryHash, e.Signature })
        {
            command.Parameters.Add(new() { Value = value });
        }
        AddNullable(command, e.ExampleEpsilonMax);
        AddNullable(command, e.EpsilonAgainstCoordinatorRdp);
        AddNullable(command, e.EpsilonAgainstCoordinatorPld);
        foreach (var value in new[] { e.SamplerTvDistance, e.DeltaTotal, e.DeltaTotalAgainstCoordinator })
        {
            AddNullable(command, value);
        }
        AddNullable(command, e.Dimension);
        AddNullable(command, e.GridScale);
        AddNullable(command, e.IntegerNoiseVariance);
        AddNullable(command, e.PaddedDimension);
        AddNullable(command, e.ShamirThreshold);
        AddNullable(command, e.MinimumSurvivors);
        AddNullable(command, e.DropoutAllowance);
        AddNullable(command, e.CorruptionRate);
        AddNullable(command, e.ClipTargetQuantile);
        AddNullable(command, e.ClipLearningRate);
        AddNullable(command, e.BitNoiseStddev);
        AddNullable(command, e.ReportNoiseVariance);
        AddNullable(command, e.NoisyUnclippedCount);
        AddNullable(command, e.AssumedColluders);
        AddNullable(command, e.ColluderTailProbability);
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A typed parameter, so a NULL (a guarantee level the session does not declare) needs no type inference.</summary>
    private static void AddNullable<T>(NpgsqlCommand command, T? value) where T : struct =>
        command.Parameters.Add(new NpgsqlParameter<T?>() { TypedValue = value });

    private static void AddNullable(NpgsqlCommand command, string? value) =>
        command.Parameters.Add(new NpgsqlParameter<string?>() { TypedValue = value });

    /// <summary>The header and the last entry of a session's chain, read inside the committing transaction.</summary>
    internal static async Task<(LedgerHeader Header, LedgerEntry? Last)> LoadChainEndAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sessionId, CancellationToken ct)
    {
        var header = await ReadHeaderAsync(connection, transaction, sessionId, ct)
            ?? throw new InvalidOperationException($"Session '{sessionId}' has no ledger header.");
        var entries = await ReadEntriesAsync(connection, transaction, sessionId, lastOnly: true, ct);
        return (header, entries.LastOrDefault());
    }

    /// <summary>
    /// Everything an auditor needs to verify the session offline; null when the session has no ledger. Each checkpoint's
    /// hash is recomputed here from its stored weights (SHA-256 of the float32 little-endian bytes), never copied from the
    /// stored sha256 column, so weights changed in the database no longer match their ledger entry.
    /// </summary>
    public async Task<LedgerDocument?> LoadDocumentAsync(string sessionId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var header = await ReadHeaderAsync(connection, transaction, sessionId, ct);
        if (header is null)
        {
            return null;
        }
        var entries = await ReadEntriesAsync(connection, transaction, sessionId, lastOnly: false, ct);
        var checkpoints = new List<CheckpointReference>();
        await using (var command = new NpgsqlCommand(
            "SELECT round, weights FROM checkpoints WHERE session_id = $1 ORDER BY round", connection, transaction))
        {
            command.Parameters.Add(new() { Value = sessionId });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var weights = reader.GetFieldValue<byte[]>(1);
                checkpoints.Add(new CheckpointReference(reader.GetInt32(0), WeightsSha256(weights)));
            }
        }
        await transaction.CommitAsync(ct);
        return new LedgerDocument(header, entries, checkpoints);
    }

    /// <summary>
    /// The model hash of stored checkpoint bytes: SHA-256 over the float32 little-endian bytes, which is what the column
    /// holds (<see cref="FedLearn.Training.FloatBytes"/>), so no conversion can change what is hashed.
    /// </summary>
    private static string WeightsSha256(byte[] storedWeights) =>
        storedWeights.Length % sizeof(float) == 0
            ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(storedWeights))
            : throw new InvalidDataException("A stored checkpoint is not a whole number of float32 values.");

    /// <summary>The session's ledger header, or null when the session has no ledger.</summary>
    public async Task<LedgerHeader?> LoadHeaderAsync(string sessionId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadHeaderAsync(connection, null, sessionId, ct);
    }

    /// <summary>The sealed entry of one round, or null when the ledger has none for it.</summary>
    public async Task<LedgerEntry?> LoadEntryAsync(string sessionId, int round, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return (await ReadEntriesAsync(connection, null, sessionId, lastOnly: false, ct, round)).SingleOrDefault();
    }

    /// <summary>The session's sealed entries in order (used to rebuild the accountant's history on activation).</summary>
    public async Task<IReadOnlyList<LedgerEntry>> LoadEntriesAsync(string sessionId, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await ReadEntriesAsync(connection, null, sessionId, lastOnly: false, ct);
    }

    private static async Task<LedgerHeader?> ReadHeaderAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sessionId, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT created_at, epsilon_budget, delta, accountant, public_key, example_epsilon_budget, example_delta,
                   example_accountant, example_clip_norm, example_noise_multiplier, example_expected_batch_size,
                   neighbouring_relation, epsilon_against, against_coordinator, example_epsilon_against, accounting_version,
                   example_calibration_attempts, initial_model_sha256, audit_commitment
            FROM ledger_headers WHERE session_id = $1
            """,
            connection, transaction);
        command.Parameters.Add(new() { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var example = reader.IsDBNull(5) ? null : new ExampleLevelDeclaration(
            reader.GetDouble(5), reader.GetDouble(6), reader.GetString(7), reader.GetDouble(8), reader.GetDouble(9), reader.GetInt32(10),
            reader.GetFieldValue<int?>(16));
        string? Text(int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
        return new LedgerHeader(sessionId, reader.GetFieldValue<DateTimeOffset>(0), reader.GetFieldValue<double?>(1),
            reader.GetFieldValue<double?>(2), Text(3), reader.GetString(4), example, Text(11), Text(12), Text(13), Text(14),
            reader.GetFieldValue<int?>(15), Text(17), Text(18));
    }

    private static async Task<List<LedgerEntry>> ReadEntriesAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sessionId, bool lastOnly, CancellationToken ct, int? round = null)
    {
        await using var command = new NpgsqlCommand($"""
            SELECT sequence, round, recorded_at, mechanism, sampling_rate, noise_multiplier, clip_norm, sensitivity,
                   participants_selected, participants_aggregated, delta, epsilon_rdp, epsilon_pld, model_sha256,
                   previous_hash, entry_hash, signature, example_epsilon_max, epsilon_against_coordinator_rdp,
                   epsilon_against_coordinator_pld, sampler_tv_distance, delta_total, delta_total_against_coordinator,
                   dimension, grid_scale, integer_noise_variance, padded_dimension, shamir_threshold, minimum_survivors,
                   dropout_allowance, corruption_rate, clip_target_quantile, clip_learning_rate, bit_noise_stddev,
                   report_noise_variance, noisy_unclipped_count, assumed_colluders, colluder_tail_probability
            FROM ledger_entries WHERE session_id = $1 {(round is null ? "" : "AND round = $2")}
            ORDER BY sequence {(lastOnly ? "DESC LIMIT 1" : "")}
            """, connection, transaction);
        command.Parameters.Add(new() { Value = sessionId });
        if (round is { } r)
        {
            command.Parameters.Add(new() { Value = r });
        }
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<LedgerEntry>();
        while (await reader.ReadAsync(ct))
        {
            double? Optional(int ordinal) => reader.GetFieldValue<double?>(ordinal);
            entries.Add(new LedgerEntry(
                reader.GetInt64(0), sessionId, reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(3),
                Optional(4), Optional(5), Optional(6), Optional(7), reader.GetInt32(8),
                reader.GetInt32(9), Optional(10), Optional(11), Optional(12), reader.GetString(13),
                reader.GetString(14), reader.GetString(15), reader.GetString(16), Optional(17), Optional(18), Optional(19),
                Optional(20), Optional(21), Optional(22), reader.GetFieldValue<int?>(23), Optional(24), reader.GetFieldValue<long?>(25),
                reader.GetFieldValue<int?>(26), reader.GetFieldValue<int?>(27), reader.GetFieldValue<int?>(28), Optional(29), Optional(30),
                Optional(31), Optional(32), Optional(33), reader.GetFieldValue<long?>(34), Optional(35),
                reader.GetFieldValue<int?>(36), Optional(37)));
        }
        return entries;
    }
}
