using System.Diagnostics;
using FedLearn.Identity;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>A real fedlearn-participant process, so a test can kill it with SIGKILL the way a crash would.</summary>
internal sealed class ParticipantProcess : IDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _trainingStarted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _output = new();

    public ParticipantProcess(Uri coordinator, string id, string dataPath, params string[] extraArguments)
        // Enrolled with a certificate for its id, from the test coordinator's CA.
        : this(coordinator.ToString(), TestCoordinator.For(coordinator).IssueCredentials(id, Roles.Participant).Directory, id, dataPath, extraArguments)
    {
    }

    /// <param name="coordinators">The daemon's --coordinator: one address, or a cluster's addresses separated by commas.</param>
    /// <param name="credentials">A directory with the participant's enrolled ca.crt, client.crt and client.key.</param>
    public ParticipantProcess(string coordinators, string credentials, string id, string dataPath, params string[] extraArguments)
        : this(coordinators, credentials, id, dataPath, new Dictionary<string, string>(), extraArguments)
    {
    }

    /// <param name="environment">Variables set for the daemon (e.g. OTEL_EXPORTER_OTLP_ENDPOINT).</param>
    public ParticipantProcess(
        string coordinators, string credentials, string id, string dataPath, IReadOnlyDictionary<string, string> environment, params string[] extraArguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }
        foreach (var argument in new[]
                 {
                     BuiltTool.Path("FedLearn.Participant", "fedlearn-participant.dll"), "run", "--coordinator", coordinators,
                     "--credentials", credentials, "--id", id, "--data", dataPath,
                 }.Concat(extraArguments))
        {
            start.ArgumentList.Add(argument);
        }
        _process = Process.Start(start) ?? throw new InvalidOperationException("Could not start fedlearn-participant.");
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                _output.Enqueue(e.Data);
            }
            if (e.Data?.Contains("training on", StringComparison.Ordinal) == true)
            {
                _trainingStarted.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Completes when the daemon has received a round task and begun training.</summary>
    public Task TrainingStarted => _trainingStarted.Task;

    /// <summary>Everything the daemon has printed so far.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>SIGKILL: no clean-up, no goodbye to the coordinator.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            Kill();
        }
        _process.Dispose();
    }
}
