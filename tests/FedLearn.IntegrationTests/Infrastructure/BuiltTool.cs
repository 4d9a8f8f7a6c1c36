using System.Diagnostics;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>The project's own programs, as built beside this test assembly (artifacts/bin/&lt;Project&gt;/&lt;configuration&gt;/).</summary>
internal static class BuiltTool
{
    public static string Path(string project, string assembly)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, project, configuration, assembly);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{assembly} was not found next to the test build; build the solution first.");
    }

    /// <summary>
    /// Runs the fedlearn CLI to completion and returns its exit code and output. A command aimed at a test coordinator
    /// (--coordinator ADDRESS) without --credentials runs as that coordinator's first admin.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunCliAsync(params string[] arguments)
    {
        var coordinator = Array.IndexOf(arguments, "--coordinator");
        if (coordinator >= 0 && coordinator + 1 < arguments.Length && !arguments.Contains("--credentials")
            && Uri.TryCreate(arguments[coordinator + 1], UriKind.Absolute, out var address) && address.Scheme == Uri.UriSchemeHttps)
        {
            arguments = [.. arguments, "--credentials", TestCoordinator.For(address).AdminCredentialsDirectory];
        }
        return RunAsync(Path("FedLearn.Cli", "fedlearn.dll"), arguments);
    }

    /// <summary>Runs a one-shot fedlearn-participant command (not the daemon) to completion.</summary>
    public static Task<(int ExitCode, string Output)> RunParticipantToolAsync(params string[] arguments) =>
        RunAsync(Path("FedLearn.Participant", "fedlearn-participant.dll"), arguments);

    /// <summary>Runs a Python script of the repository (e.g. notebooks/ledger_audit.py) with Debian's interpreter.</summary>
    public static Task<(int ExitCode, string Output)> RunPythonScriptAsync(string relativePath, params string[] arguments) =>
        RunAsync(RepositoryFile(relativePath), arguments, "/usr/bin/python3");

    /// <summary>
    /// Executes a notebook of the repository with Debian's jupyter, writing the executed copy to
    /// <paramref name="outputDirectory"/>; the exit code is not 0 when any cell fails.
    /// </summary>
    public static Task<(int ExitCode, string Output)> RunNotebookAsync(string relativePath, string outputDirectory, IReadOnlyDictionary<string, string> environment) =>
        RunAsync("nbconvert", ["--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output-dir", outputDirectory, RepositoryFile(relativePath)],
            "/usr/bin/jupyter", environment);

    /// <summary>A file of the repository, found by walking up from the test build.</summary>
    public static string RepositoryFile(string relativePath)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, relativePath);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException($"{relativePath} was not found above the test build.");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, string[] arguments, string host = "dotnet",
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        start.ArgumentList.Add(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {program}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
