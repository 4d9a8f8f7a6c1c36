using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using FedLearn.Identity;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// A real fedlearn-coordinator process, one silo of a cluster with membership in PostgreSQL (or, with
/// <c>cluster: false</c>, a lone coordinator on localhost clustering, the default deployment), so a test can kill it with
/// SIGKILL the way a crashed machine would and <see cref="Restart"/> it on the same ports. Configured on the command line as
/// an operator would (docs/operations.md).
/// </summary>
internal sealed class CoordinatorProcess : IDisposable
{
    private readonly ProcessStartInfo _start;
    private readonly ConcurrentQueue<string> _output = new();
    private Process _process;

    public CoordinatorProcess(
        string name, TestDatabase database, string federationDirectory, string testSet, string clusterId, string workDirectory, bool cluster = true)
    {
        Name = name;
        var port = FreePort.Next();
        Address = new Uri($"https://127.0.0.1:{port}");
        Directory.CreateDirectory(workDirectory);
        var start = _start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workDirectory,
        };
        start.ArgumentList.Add(BuiltTool.Path("FedLearn.Coordinator", "fedlearn-coordinator.dll"));
        foreach (var (key, value) in new Dictionary<string, string>
                 {
                     ["ConnectionStrings:FedLearnMigrations"] = database.ConnectionString,
                     ["ConnectionStrings:FedLearn"] = database.CoordinatorConnectionString,
                     ["Coordinator:Cluster:Mode"] = cluster ? "postgres" : "localhost",
                     ["Coordinator:Cluster:ResumeIntervalSeconds"] = "2",
                     ["Coordinator:ClusterId"] = clusterId,
                     ["Coordinator:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                     ["Coordinator:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
                     ["Coordinator:HeartbeatSeconds"] = "2",
                     ["Coordinator:TestData"] = testSet,
                     ["Coordinator:LogDirectory"] = "",
                     ["Coordinator:DatabaseStartupTimeoutSeconds"] = "10",
                     // One federation for the whole cluster: the same CA, server certificate and ledger key on every silo.
                     ["Coordinator:FederationDirectory"] = federationDirectory,
                     ["Coordinator:LedgerKeyPath"] = Path.Combine(federationDirectory, "ledger-signing-key.pem"),
                     ["Urls"] = Address.ToString(),
                 })
        {
            start.ArgumentList.Add($"--{key}={value}");
        }
        if (cluster)
        {
            start.ArgumentList.Add("--Coordinator:Cluster:AdvertisedAddress=127.0.0.1");
        }
        _process = Launch();
    }

    /// <summary>How many times the process has been started (1 before any <see cref="Restart"/>).</summary>
    public int Starts { get; private set; }

    /// <summary>
    /// Starts the coordinator again, with the same settings and ports, after it was killed (it is killed first if it still
    /// runs). Its output goes on accumulating in <see cref="Output"/>.
    /// </summary>
    public void Restart()
    {
        Kill();
        _process.Dispose();
        _process = Launch();
    }

    private Process Launch()
    {
        var process = Process.Start(_start) ?? throw new InvalidOperationException("Could not start fedlearn-coordinator.");
        process.OutputDataReceived += (_, e) => Record(e.Data);
        process.ErrorDataReceived += (_, e) => Record(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        Starts++;
        return process;
    }

    public string Name { get; }

    public Uri Address { get; }

    /// <summary>Everything the coordinator has logged so far (console format).</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>
    /// Waits until the coordinator answers /healthz over TLS (Kestrel starts after the silo has joined the cluster); fails
    /// with its log if the process exits first.
    /// </summary>
    public async Task WaitUntilServingAsync(X509Certificate2 federationCa, CancellationToken ct)
    {
        // Kestrel serves HTTP/2 only.
        using var client = new HttpClient(TlsClient.CreateHandler(federationCa, () => null))
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(120));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Coordinator {Name} exited at start-up:{Environment.NewLine}{Output}");
            }
            try
            {
                using var reply = await client.GetAsync(new Uri(Address, "/healthz"), timeout.Token);
                if (reply.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            await Task.Delay(250, timeout.Token);
        }
    }

    /// <summary>SIGKILL: no clean-up, no goodbye to the cluster.</summary>
    public void Kill()
    {
        if (_process.HasExited)
        {
            return;
        }
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

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }
        _output.Enqueue(line);
    }
}
