using System.Diagnostics;
using System.Security.Cryptography;
using FedLearn.Identity;
using FedLearn.Protos.V1;
using Grpc.Net.Client;
using Npgsql;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// The real coordinator (the built fedlearn-coordinator, as shipped) in its own process, so its CPU time and memory can be
/// read from /proc: a fresh federation (CA, server and admin certificates, as `fedlearn federation init` writes them) and a
/// fresh PostgreSQL database it migrates itself; both are removed again on disposal. Its console log goes to a file.
/// </summary>
internal sealed class CoordinatorUnderTest : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _adminConnectionString;
    private readonly string _database;

    private CoordinatorUnderTest(Process process, Uri address, string federation, string adminConnectionString, string database, string logPath)
    {
        _process = process;
        Address = address;
        FederationDirectory = federation;
        _adminConnectionString = adminConnectionString;
        _database = database;
        LogPath = logPath;
        Ca = CertificateAuthority.Load(Path.Combine(federation, FederationSetup.CaCertificate), Path.Combine(federation, FederationSetup.CaKey));
        AdminChannel = OpenChannel(ClientCredentials.Load(Path.Combine(federation, FederationSetup.AdminDirectory)).Certificate);
        Admin = new AdminService.AdminServiceClient(AdminChannel);
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public string FederationDirectory { get; }

    public string LogPath { get; }

    public CertificateAuthority Ca { get; }

    public GrpcChannel AdminChannel { get; }

    public AdminService.AdminServiceClient Admin { get; }

    /// <summary>A mutual-TLS channel of its own (one HTTP/2 connection) presenting <paramref name="certificate"/>.</summary>
    public GrpcChannel OpenChannel(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) => OpenChannel(Address, Ca, certificate);

    public static GrpcChannel OpenChannel(Uri address, CertificateAuthority ca, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate) =>
        GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            HttpHandler = TlsClient.CreateHandler(ca.Certificate, () => certificate),
            DisposeHttpClient = true,
        });

    public static async Task<CoordinatorUnderTest> StartAsync(
        string coordinatorDll, string adminConnectionString, string? testData, string workDirectory, CancellationToken ct)
    {
        if (!File.Exists(coordinatorDll))
        {
            throw new FileNotFoundException($"No coordinator at {coordinatorDll}; build it (dotnet build coordinator/FedLearn.Coordinator -c Release) or pass --coordinator-dll.");
        }
        var database = "fedlearn_bench_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        await using (var connection = new NpgsqlConnection(adminConnectionString))
        {
            await connection.OpenAsync(ct);
            await using var create = new NpgsqlCommand($"CREATE DATABASE {database}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        var federation = Path.Combine(workDirectory, "federation");
        FederationSetup.Initialize(federation, "bench", ["127.0.0.1", "localhost"], "admin", DateTimeOffset.UtcNow);
        var port = CoordinatorUnderTestPorts.Free();
        var logPath = Path.Combine(workDirectory, "coordinator.log");
        var connectionString = new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database }.ConnectionString;
        var start = new ProcessStartInfo("bash")
        {
            // exec: the PID measured is the coordinator's own, not a shell's.
            ArgumentList = { "-c", $"exec dotnet \"$0\" > \"$1\" 2>&1", coordinatorDll, logPath },
            WorkingDirectory = Path.GetDirectoryName(coordinatorDll)!,
            UseShellExecute = false,
            Environment =
            {
                ["ConnectionStrings__FedLearn"] = connectionString,
                ["Coordinator__TestData"] = testData ?? "",
                ["Coordinator__LogDirectory"] = "",
                ["Coordinator__SiloPort"] = CoordinatorUnderTestPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Coordinator__GatewayPort"] = CoordinatorUnderTestPorts.Free().ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Coordinator__ClusterId"] = database,
                ["Coordinator__FederationDirectory"] = federation,
                ["Coordinator__LedgerKeyPath"] = Path.Combine(federation, "ledger-signing-key.pem"),
                ["Urls"] = $"https://127.0.0.1:{port}",
            },
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the coordinator.");
        var coordinator = new CoordinatorUnderTest(process, new Uri($"https://127.0.0.1:{port}"), federation, adminConnectionString, database, logPath);
        try
        {
            await coordinator.WaitUntilServingAsync(ct);
            return coordinator;
        }
        catch
        {
            await coordinator.DisposeAsync();
            throw;
        }
    }

    private async Task WaitUntilServingAsync(CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow.AddMinutes(2);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The coordinator exited with {_process.ExitCode}; see {LogPath}.");
            }
            try
            {
                await Admin.ListSessionsAsync(new ListSessionsRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
                return;
            }
            catch (Grpc.Core.RpcException) when (DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(250, ct);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        AdminChannel.Dispose();
        Ca.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_database} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
