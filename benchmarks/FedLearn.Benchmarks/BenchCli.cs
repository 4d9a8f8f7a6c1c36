using System.CommandLine;

namespace FedLearn.Benchmarks;

/// <summary>
/// What the in-process benchmark commands share: a --json switch, and bad input or unreadable data turned into one line
/// on stderr with the fedlearn CLI's exit codes (0 done, 1 failed, 2 bad input) instead of a stack trace.
/// </summary>
internal static class BenchCli
{
    public const int Success = 0;
    public const int Failed = 1;
    public const int InvalidInput = 2;

    public static Option<bool> JsonOption() => new("--json") { Description = "Print one JSON object instead of text." };

    public static async Task<int> Run(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (Exception e) when (e is ArgumentException or FormatException or InvalidDataException)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return InvalidInput;
        }
        catch (IOException e)
        {
            await Console.Error.WriteLineAsync($"error: {e.Message}");
            return Failed;
        }
        catch (OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("cancelled");
            return Failed;
        }
    }
}
