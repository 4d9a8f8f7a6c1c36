using System.Text.Json;
using FedLearn.Coordinator.Grains.Optimization;
using FedLearn.Coordinator.Grains.Telemetry;
using FedLearn.Ledger;
using FedLearn.Training;
using Npgsql;
using NpgsqlTypes;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>Sessions, their checkpoints and their rounds in PostgreSQL.</summary>
public sealed class SessionRepository(NpgsqlDataSource dataSource, IEnumerable<IRoundCommitWriter> commitWriters, TimeProvider time)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly IRoundCommitWriter[] _commitWriters = [.. commitWriters];

    /// <summary>Inserts a new session with its initial model and, for a private session, its ledger header, in one transaction.</summary>
    public async Task InsertAsync(SessionRecord session, Checkpoint initialModel, LedgerHeader? ledgerHeader, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO sessions (session_id, name, definition, state, completed_rounds, message,
                                  initial_weights, initial_sha256, created_at, updated_at, privacy)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = session.SessionId });
        command.Parameters.Add(new() { Value = session.Definition.Name });
        command.Parameters.Add(new() { Value = JsonSerializer.Serialize(session.Definition, Json), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new() { Value = SessionStateNames.ToDatabase(session.State) });
        command.Parameters.Add(new() { Value = session.CompletedRounds });
        command.Parameters.Add(new() { Value = (object?)session.Message ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = FloatBytes.ToBytes(initialModel.Weights) });
        command.Parameters.Add(new() { Value = initialModel.Sha256 });
        command.Parameters.Add(new() { Value = session.CreatedAt.ToUniversalTime() });
        command.Parameters.Add(new() { Value = session.UpdatedAt.ToUniversalTime() });
        command.Parameters.Add(new()
        {
            Value = session.Privacy is null ? DBNull.Value : JsonSerializer.Serialize(session.Privacy, Json),
            NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
        await command.ExecuteNonQueryAsync(ct);
        if (ledgerHeader is not null)
        {
            await LedgerRepository.InsertHeaderAsync(connection, transaction, ledgerHeader, ct);
        }
        await transaction.CommitAsync(ct);
    }

    public async Task<SessionRecord?> FindAsync(string sessionId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"{SelectSessions} WHERE session_id = $1");
        command.Parameters.Add(new() { Value = sessionId });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadSession(reader) : null;
    }

    public async Task<IReadOnlyList<SessionRecord>> ListAsync(SessionState? state = null, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(
            $"{SelectSessions} WHERE $1::text IS NULL OR state = $1 ORDER BY created_at DESC, session_id");
        command.Parameters.Add(new() { Value = state is null ? DBNull.Value : SessionStateNames.ToDatabase(state.Value), NpgsqlDbType = NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var sessions = new List<SessionRecord>();
        while (await reader.ReadAsync(ct))
        {
            sessions.Add(ReadSession(reader));
        }
        return sessions;
    }

    public async Task UpdateStateAsync(string sessionId, SessionState state, string? message, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE sessions SET state = $2, message = $3, updated_at = $4 WHERE session_id = $1");
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = SessionStateNames.ToDatabase(state) });
        command.Parameters.Add(new() { Value = (object?)message ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The checkpoint of a committed round, the latest one when <paramref name="round"/> is null, or round 0 (the initial model).</summary>
    public async Task<Checkpoint?> FindCheckpointAsync(string sessionId, int? round = null, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT round, weights, sha256 FROM checkpoints
            WHERE session_id = $1 AND ($2::integer IS NULL OR round = $2)
            UNION ALL
            SELECT 0, initial_weights, initial_sha256 FROM sessions
            WHERE session_id = $1 AND ($2::integer IS NULL OR $2 = 0)
            ORDER BY 1 DESC LIMIT 1
            """);
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = round is null ? DBNull.Value : round.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        var weights = FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(1));
        var sha256 = reader.GetString(2);
        if (WeightHash.Sha256Hex(weights) != sha256)
        {
            throw new InvalidDataException(
                $"Checkpoint {reader.GetInt32(0)} of session '{sessionId}' does not match its stored SHA-256; refusing to use it.");
        }
        return new Checkpoint(reader.GetInt32(0), weights, sha256);
    }

    /// <summary>The server optimizer's state committed with <paramref name="round"/>'s checkpoint, or null when none was stored.</summary>
    public Task<ServerOptimizerState?> FindOptimizerStateAsync(string sessionId, int round, CancellationToken ct = default) =>
        ServerOptimizerStates.FindAsync(dataSource, sessionId, round, ct);

    public async Task<IReadOnlyList<RoundSummary>> ListRoundsAsync(string sessionId, int? round = null, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT round, attempt, outcome, participants_selected, participants_aggregated, examples_aggregated,
                   train_loss, test_loss, test_accuracy, checkpoint_sha256, started_at, completed_at
            FROM rounds WHERE session_id = $1 AND ($2::integer IS NULL OR round = $2)
            ORDER BY round, attempt
            """);
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = round is null ? DBNull.Value : round.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rounds = new List<RoundSummary>();
        while (await reader.ReadAsync(ct))
        {
            rounds.Add(new RoundSummary(
                reader.GetInt32(0), reader.GetInt32(1),
                reader.GetString(2) == "committed" ? RoundOutcome.Committed : RoundOutcome.Aborted,
                reader.GetInt32(3), reader.GetInt32(4), reader.GetInt64(5),
                ReadDouble(reader, 6), ReadDouble(reader, 7), ReadDouble(reader, 8),
                reader.IsDBNull(9) ? null : reader.GetString(9),
                reader.GetFieldValue<DateTimeOffset>(10), reader.GetFieldValue<DateTimeOffset>(11)));
        }
        return rounds;
    }

    /// <summary>Records an aborted attempt (no checkpoint, nothing released).</summary>
    public async Task RecordAbortedRoundAsync(string sessionId, RoundSummary summary, string reason, CancellationToken ct = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await InsertRoundAsync(connection, null, sessionId, summary, reason, ct);
        CoordinatorTelemetry.AttemptAborted(sessionId, reason);
    }

    /// <summary>
    /// Commits a round in ONE transaction: the checkpoint, the round record, the session's progress and whatever the
    /// registered <see cref="IRoundCommitWriter"/>s add. Either all of it is stored or none of it.
    /// </summary>
    public async Task CommitRoundAsync(RoundCommit commit, CancellationToken ct = default)
    {
        var summary = commit.Summary;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        await using (var checkpoint = new NpgsqlCommand(
            "INSERT INTO checkpoints (session_id, round, weights, sha256, created_at) VALUES ($1, $2, $3, $4, $5)",
            connection, transaction))
        {
            checkpoint.Parameters.Add(new() { Value = commit.SessionId });
            checkpoint.Parameters.Add(new() { Value = summary.Round });
            checkpoint.Parameters.Add(new() { Value = FloatBytes.ToBytes(commit.Weights) });
            checkpoint.Parameters.Add(new() { Value = summary.CheckpointSha256 ?? throw new ArgumentException("A committed round needs its checkpoint hash.", nameof(commit)) });
            checkpoint.Parameters.Add(new() { Value = summary.CompletedAt.ToUniversalTime() });
            await checkpoint.ExecuteNonQueryAsync(ct);
        }
        if (commit.OptimizerState is { } optimizerState)
        {
            await ServerOptimizerStates.InsertAsync(connection, transaction, commit.SessionId, summary.Round, optimizerState, ct);
        }
        await InsertRoundAsync(connection, transaction, commit.SessionId, summary, commit.UnchangedReason, ct);
        await using (var session = new NpgsqlCommand("""
            UPDATE sessions SET completed_rounds = $2, state = $3, message = $4, updated_at = $5
            WHERE session_id = $1 AND completed_rounds = $2 - 1
            """, connection, transaction))
        {
            session.Parameters.Add(new() { Value = commit.SessionId });
            session.Parameters.Add(new() { Value = summary.Round });
            session.Parameters.Add(new() { Value = SessionStateNames.ToDatabase(commit.NewState) });
            session.Parameters.Add(new() { Value = (object?)commit.Message ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            session.Parameters.Add(new() { Value = summary.CompletedAt.ToUniversalTime() });
            if (await session.ExecuteNonQueryAsync(ct) != 1)
            {
                throw new InvalidOperationException(
                    $"Session '{commit.SessionId}' is not at round {summary.Round - 1}; another coordinator may have committed this round.");
            }
        }
        foreach (var writer in _commitWriters)
        {
            await writer.WriteAsync(connection, transaction, commit, ct);
        }
        await transaction.CommitAsync(ct);
        CoordinatorTelemetry.RoundCommitted(commit);
    }

    private const string SelectSessions = """
        SELECT session_id, definition::text, state, completed_rounds, message, created_at, updated_at, privacy::text FROM sessions
        """;

    private static SessionRecord ReadSession(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        JsonSerializer.Deserialize<SessionDefinition>(reader.GetString(1), Json)
            ?? throw new InvalidDataException("A session row has an empty definition."),
        SessionStateNames.FromDatabase(reader.GetString(2)),
        reader.GetInt32(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.GetFieldValue<DateTimeOffset>(5),
        reader.GetFieldValue<DateTimeOffset>(6),
        reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<PrivacyPlan>(reader.GetString(7), Json));

    private static double ReadDouble(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? double.NaN : reader.GetDouble(ordinal);

    private static async Task InsertRoundAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sessionId, RoundSummary summary, string? abortReason, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO rounds (session_id, round, attempt, outcome, participants_selected, participants_aggregated,
                                examples_aggregated, train_loss, test_loss, test_accuracy, checkpoint_sha256, abort_reason,
                                started_at, completed_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = summary.Round });
        command.Parameters.Add(new() { Value = summary.Attempt });
        command.Parameters.Add(new() { Value = summary.Outcome == RoundOutcome.Committed ? "committed" : "aborted" });
        command.Parameters.Add(new() { Value = summary.ParticipantsSelected });
        command.Parameters.Add(new() { Value = summary.ParticipantsAggregated });
        command.Parameters.Add(new() { Value = summary.ExamplesAggregated });
        command.Parameters.Add(Nullable(summary.TrainLoss));
        command.Parameters.Add(Nullable(summary.TestLoss));
        command.Parameters.Add(Nullable(summary.TestAccuracy));
        command.Parameters.Add(new() { Value = (object?)summary.CheckpointSha256 ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)abortReason ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = summary.StartedAt.ToUniversalTime() });
        command.Parameters.Add(new() { Value = summary.CompletedAt.ToUniversalTime() });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static NpgsqlParameter Nullable(double value) =>
        new() { Value = double.IsFinite(value) ? value : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double };
}
