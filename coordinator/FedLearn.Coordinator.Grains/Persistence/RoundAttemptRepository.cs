using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>
/// The round_attempts table: every attempt is written here as opened before any task is pushed, and numbered by the
/// database, so an attempt number is never handed out twice, also when the coordinator crashed mid-attempt.
/// </summary>
public sealed class RoundAttemptRepository(NpgsqlDataSource dataSource)
{
    /// <summary>Records a new attempt of the round and returns its number: one more than any attempt of the round so far.</summary>
    public async Task<int> OpenAsync(string sessionId, int round, DateTimeOffset openedAt, int participantsSelected, AttemptCharge? charge, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO round_attempts (session_id, round, attempt, opened_at, participants_selected,
                                        charged_noise_multiplier, charged_sensitivity, charged_sampler_distance, charged_noise_inputs)
            SELECT $1, $2, COALESCE(MAX(attempt), 0) + 1, $3, $4, $5, $6, $7, $8
            FROM round_attempts WHERE session_id = $1 AND round = $2
            RETURNING attempt
            """);
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = round });
        command.Parameters.Add(new() { Value = openedAt.ToUniversalTime() });
        command.Parameters.Add(new() { Value = participantsSelected });
        command.Parameters.Add(Nullable(charge?.NoiseMultiplier));
        command.Parameters.Add(Nullable(charge?.Sensitivity));
        command.Parameters.Add(Nullable(charge?.SamplerDistance));
        command.Parameters.Add(new()
        {
            Value = charge?.Inputs is { } inputs ? JsonSerializer.Serialize(inputs, InputsJson) : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb,
        });
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Attempts that opened but have no outcome in rounds: the one open now, or ones a crash (or a failed step) lost.
    /// </summary>
    public async Task<IReadOnlyList<RoundAttempt>> ListUnsettledAsync(string sessionId, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand($"""
            {SelectAttempts}
            WHERE a.session_id = $1
              AND NOT EXISTS (SELECT 1 FROM rounds r WHERE r.session_id = a.session_id AND r.round = a.round AND r.attempt = a.attempt)
            ORDER BY a.round, a.attempt
            """);
        command.Parameters.Add(new() { Value = sessionId });
        return await ReadAsync(command, ct);
    }

    /// <summary>The highest attempt number the round has used, 0 when it has none.</summary>
    public async Task<int> LastAttemptAsync(string sessionId, int round, CancellationToken ct = default)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT COALESCE(MAX(attempt), 0) FROM round_attempts WHERE session_id = $1 AND round = $2");
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = round });
        return (int)(await command.ExecuteScalarAsync(ct))!;
    }

    private const string SelectAttempts = """
        SELECT a.round, a.attempt, a.opened_at, a.participants_selected,
               a.charged_noise_multiplier, a.charged_sensitivity, a.charged_sampler_distance, a.charged_noise_inputs
        FROM round_attempts a
        """;

    private static async Task<IReadOnlyList<RoundAttempt>> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        var attempts = new List<RoundAttempt>();
        while (await reader.ReadAsync(ct))
        {
            var charge = reader.IsDBNull(4)
                ? null
                : new AttemptCharge(reader.GetDouble(4), reader.GetDouble(5),
                    reader.IsDBNull(7) ? null : JsonSerializer.Deserialize<Sessions.NoiseInputs>(reader.GetString(7), InputsJson),
                    reader.GetFieldValue<double?>(6));
            attempts.Add(new RoundAttempt(reader.GetInt32(0), reader.GetInt32(1), reader.GetFieldValue<DateTimeOffset>(2), reader.GetInt32(3), charge));
        }
        return attempts;
    }

    // The noise inputs as the attempt computed them when it opened (review-10 S8d): one JSON object, read back by name.
    private static readonly JsonSerializerOptions InputsJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static NpgsqlParameter Nullable(double? value) =>
        new() { Value = value is { } v ? v : DBNull.Value, NpgsqlDbType = NpgsqlDbType.Double };
}
