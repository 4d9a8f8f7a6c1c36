using FedLearn.Coordinator.Services;
using Grpc.Core;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>Only a database that cannot be reached is UNAVAILABLE; data it refuses is the request's fault.</summary>
public sealed class RpcGuardTests
{
    [Theory]
    [InlineData("22021", StatusCode.InvalidArgument)] // invalid byte sequence (a NUL in text)
    [InlineData("22001", StatusCode.InvalidArgument)] // string too long for its column
    [InlineData("23505", StatusCode.FailedPrecondition)] // unique violation
    [InlineData("08006", StatusCode.Unavailable)] // connection failure
    [InlineData("57P01", StatusCode.Unavailable)] // the server is shutting down
    public async Task Call_PostgresError_StatusBySqlState(string sqlState, StatusCode expected)
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            RpcGuard.Call<bool>(() => throw new PostgresException("refused", "ERROR", "ERROR", sqlState)));

        Assert.Equal(expected, error.StatusCode);
        Assert.Equal(expected == StatusCode.Unavailable, error.Status.Detail.Contains("unavailable", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Call_ConnectionFailure_Unavailable()
    {
        var error = await Assert.ThrowsAsync<RpcException>(() =>
            RpcGuard.Call<bool>(() => throw new NpgsqlException("Failed to connect to 127.0.0.1:1")));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
    }
}
