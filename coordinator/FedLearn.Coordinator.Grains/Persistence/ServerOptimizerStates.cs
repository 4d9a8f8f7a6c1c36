using FedLearn.Coordinator.Grains.Optimization;
using FedLearn.Training;
using Npgsql;

namespace FedLearn.Coordinator.Grains.Persistence;

/// <summary>The server optimizer's state per committed round (table server_optimizer_states, migration 009).</summary>
internal static class ServerOptimizerStates
{
    /// <summary>Stores the state reached by <paramref name="round"/>, inside the transaction that commits that round's checkpoint.</summary>
    public static async Task InsertAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string sessionId, int round, ServerOptimizerState state, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            INSERT INTO server_optimizer_states (session_id, round, steps, first_moment, second_moment)
            VALUES ($1, $2, $3, $4, $5)
            """, connection, transaction);
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = round });
        command.Parameters.Add(new() { Value = state.Steps });
        command.Parameters.Add(Moment(state.FirstMoment));
        command.Parameters.Add(Moment(state.SecondMoment));
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The state stored with <paramref name="round"/>'s checkpoint, or null when there is none.</summary>
    public static async Task<ServerOptimizerState?> FindAsync(NpgsqlDataSource dataSource, string sessionId, int round, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT steps, first_moment, second_moment FROM server_optimizer_states WHERE session_id = $1 AND round = $2");
        command.Parameters.Add(new() { Value = sessionId });
        command.Parameters.Add(new() { Value = round });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }
        return new ServerOptimizerState(
            reader.GetInt64(0),
            reader.IsDBNull(1) ? null : FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(1)),
            reader.IsDBNull(2) ? null : FloatBytes.FromBytes(reader.GetFieldValue<byte[]>(2)));
    }

    private static NpgsqlParameter Moment(float[]? moment) =>
        new() { Value = moment is null ? DBNull.Value : FloatBytes.ToBytes(moment), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Bytea };
}
