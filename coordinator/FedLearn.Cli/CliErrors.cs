using Grpc.Core;

namespace FedLearn.Cli;

/// <summary>Turns failures into one clear line on stderr and a documented exit code.</summary>
internal static class CliErrors
{
    /// <summary>
    /// Runs the command; when the coordinator in use answers UNAVAILABLE and --coordinator lists another address, runs it
    /// again there (a call refused as unavailable did nothing; docs/operations.md "Participants and the CLI").
    /// </summary>
    public static async Task<int> Run(Func<Task<int>> action)
    {
        while (true)
        {
            try
            {
                return await action();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && CoordinatorConnection.MoveToNextAddress() is { } next)
            {
                await Console.Error.WriteLineAsync($"the coordinator is unavailable ({e.Status.Detail}); trying {next}");
            }
            catch (RpcException e)
            {
                var (code, message) = e.StatusCode switch
                {
                    StatusCode.Unavailable => (ExitCodes.Unavailable, $"the coordinator is unavailable: {e.Status.Detail}"),
                    StatusCode.NotFound => (ExitCodes.NotFound, e.Status.Detail),
                    StatusCode.InvalidArgument or StatusCode.FailedPrecondition => (ExitCodes.InvalidInput, e.Status.Detail),
                    StatusCode.Unauthenticated or StatusCode.PermissionDenied => (ExitCodes.Refused, $"refused: {e.Status.Detail}"),
                    StatusCode.Cancelled => (ExitCodes.Error, "cancelled"),
                    _ => (ExitCodes.Error, $"{e.StatusCode}: {e.Status.Detail}"),
                };
                await Console.Error.WriteLineAsync($"error: {message}");
                return code;
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException or Google.Protobuf.InvalidJsonException)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.InvalidInput;
            }
            catch (IOException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message}");
                return ExitCodes.Error;
            }
            catch (OperationCanceledException)
            {
                await Console.Error.WriteLineAsync("cancelled");
                return ExitCodes.Error;
            }
        }
    }
}
