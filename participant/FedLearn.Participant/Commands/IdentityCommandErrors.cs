using Grpc.Core;

namespace FedLearn.Participant.Commands;

/// <summary>
/// The exit codes of the certificate commands (<c>enroll</c>, <c>renew</c>), as README.md gives them for the CLIs: 2 for bad input or
/// unreadable credentials, 3 when the coordinator cannot be reached (worth retrying), 1 for any other refusal.
/// </summary>
internal static class IdentityCommandErrors
{
    public static async Task<int> RunAsync(Func<Task<int>> command)
    {
        try
        {
            return await command();
        }
        catch (Exception e) when (e is ArgumentException or UriFormatException or InvalidDataException or IOException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return 2;
        }
        catch (RpcException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.StatusCode}: {e.Status.Detail}");
            return e.StatusCode == StatusCode.Unavailable ? 3 : 1;
        }
    }
}
