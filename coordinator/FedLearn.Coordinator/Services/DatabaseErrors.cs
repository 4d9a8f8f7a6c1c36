using Grpc.Core;
using Npgsql;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// Tells a database that refused a request's data from one that cannot be reached. Only connection-level failures are
/// UNAVAILABLE; SQLSTATE class 22 (data exception: a value too long, out of range, malformed, a NUL byte in text) is the
/// caller's INVALID_ARGUMENT, and class 23 (integrity constraint violation) a FAILED_PRECONDITION. PostgreSQL
/// documentation, Appendix A "PostgreSQL Error Codes".
/// </summary>
internal static class DatabaseErrors
{
    public static bool IsDataError(PostgresException e) => e.SqlState.StartsWith("22", StringComparison.Ordinal) || e.SqlState.StartsWith("23", StringComparison.Ordinal);

    public static StatusCode StatusFor(PostgresException e) =>
        e.SqlState.StartsWith("23", StringComparison.Ordinal) ? StatusCode.FailedPrecondition : StatusCode.InvalidArgument;
}
