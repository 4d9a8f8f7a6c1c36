using System.Text.RegularExpressions;
using Grpc.Core;
using Orleans.Runtime;

namespace FedLearn.Coordinator.Services;

/// <summary>Input checks and the mapping of domain errors to gRPC status codes, shared by both services.</summary>
internal static partial class RpcGuard
{
    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex IdPattern();

    public static string Id(string value, string field) =>
        IdPattern().IsMatch(value ?? "")
            ? value!
            : throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"{field} must be 1 to 64 letters, digits, '.', '_' or '-'."));

    public static int Round(int value) =>
        value >= 1 ? value : throw new RpcException(new Status(StatusCode.InvalidArgument, "round must be at least 1."));

    /// <summary>A metrics report's values in their documented ranges (LocalMetrics in participant.proto).</summary>
    public static void Metrics(Protos.V1.LocalMetrics metrics)
    {
        var problem = !(metrics.TrainLoss is >= 0 and <= Grains.Rounds.UpdateValidator.MaxReportedLoss)
                ? $"train_loss must be a finite number in [0, {Grains.Rounds.UpdateValidator.MaxReportedLoss:G}]"
            : !(metrics.TrainAccuracy is >= 0 and <= 1) ? "train_accuracy must be in [0, 1]"
            : metrics.NumExamples < 1 ? "num_examples must be at least 1"
            : !(metrics.TrainSeconds >= 0 && double.IsFinite(metrics.TrainSeconds)) ? "train_seconds must be a finite number >= 0"
            : null;
        if (problem is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem + "."));
        }
    }

    /// <summary>Runs a grain call, turning its exceptions into statuses a client can act on.</summary>
    public static async Task<T> Call<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (ArgumentException e)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, e.Message));
        }
        catch (KeyNotFoundException e)
        {
            throw new RpcException(new Status(StatusCode.NotFound, e.Message));
        }
        catch (InvalidOperationException e)
        {
            throw new RpcException(new Status(StatusCode.FailedPrecondition, e.Message));
        }
        catch (Npgsql.PostgresException e) when (DatabaseErrors.IsDataError(e))
        {
            // The server refused this request's data (bad value, constraint): the request is wrong, the database is fine.
            throw new RpcException(new Status(DatabaseErrors.StatusFor(e), $"The database refused the request's data: {e.MessageText}"));
        }
        catch (Npgsql.NpgsqlException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, $"The database is unavailable: {e.Message}"));
        }
        catch (TimeoutException)
        {
            // Orleans gave up waiting for the grain (its response timeout), but the grain call may still complete (review-10
            // S8g): a read can simply be retried, a call that changes state (CreateSession, RevokeIdentity, RecordAudit, …)
            // may already have taken effect, so its outcome must be checked before it is sent again.
            throw new RpcException(new Status(StatusCode.DeadlineExceeded,
                "The coordinator did not answer in time (it is overloaded), and the call may still complete: its outcome is unknown. " +
                "Retry a read; check the outcome of a call that changes something (a session created, started or stopped, an identity " +
                "revoked or invited, an audit recorded) before retrying it. A round stays open until its deadline."));
        }
        catch (OrleansException e)
        {
            // The silo refused or lost the message (shutting down, overloaded, restarting): nothing was done, try again later.
            throw new RpcException(new Status(StatusCode.Unavailable, $"The coordinator cannot take the request now ({e.GetType().Name}); retry later."));
        }
        catch (Exception e) when (e is not RpcException and not OperationCanceledException and not OutOfMemoryException)
        {
            // Anything else is the coordinator's fault: say so (INTERNAL) rather than leave the client with UNKNOWN.
            throw new RpcException(new Status(StatusCode.Internal, $"The coordinator failed to handle the request ({e.GetType().Name})."));
        }
    }
}
