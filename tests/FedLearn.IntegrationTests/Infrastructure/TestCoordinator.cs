using System.Collections.Concurrent;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Hosting;
using FedLearn.Identity;
using FedLearn.Protos.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// The real coordinator host (the same registration code as Program.cs) on loopback ports chosen for the test, in its
/// secure configuration: a fresh federation CA (what `fedlearn federation init` writes), Kestrel over HTTP/2 on TLS 1.3
/// asking for client certificates, an Orleans silo, PostgreSQL through Npgsql. <see cref="Admin"/> calls as the first
/// admin; <see cref="Participants"/> as an enrolled participant named "stranger"; <see cref="IssueCredentials"/> gives
/// anyone else a certificate. Test helpers that are handed only the coordinator's address find it through <see cref="For"/>.
/// </summary>
public sealed class TestCoordinator : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<Uri, TestCoordinator> Running = new();

    private readonly WebApplication _app;
    private readonly string _federationDirectory;
    private readonly CertificateAuthority _ca;
    private readonly GrpcChannel _participantChannel;
    private readonly System.Collections.Concurrent.ConcurrentBag<GrpcChannel> _extraChannels = [];

    private TestCoordinator(WebApplication app, Uri address, string federationDirectory)
    {
        _app = app;
        Address = address;
        _federationDirectory = federationDirectory;
        _ca = CertificateAuthority.Load(Path.Combine(federationDirectory, FederationSetup.CaCertificate), Path.Combine(federationDirectory, FederationSetup.CaKey));
        AdminCredentialsDirectory = Path.Combine(federationDirectory, FederationSetup.AdminDirectory);
        Channel = OpenChannel(ClientCredentials.Load(AdminCredentialsDirectory));
        Admin = new AdminService.AdminServiceClient(Channel);
        Identity = new IdentityService.IdentityServiceClient(Channel);
        _participantChannel = OpenChannel(IssueCredentials("stranger", Roles.Participant));
        Participants = new ParticipantService.ParticipantServiceClient(_participantChannel);
    }

    public Uri Address { get; }

    /// <summary>A channel presenting the first admin's certificate.</summary>
    public GrpcChannel Channel { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public IdentityService.IdentityServiceClient Identity { get; }

    /// <summary>The participant API as the enrolled participant "stranger" (selected for nothing).</summary>
    public ParticipantService.ParticipantServiceClient Participants { get; }

    /// <summary>The first admin's ca.crt, client.crt and client.key, for the CLI's --credentials.</summary>
    public string AdminCredentialsDirectory { get; }

    /// <summary>The CA's files, the coordinator's certificate and the ledger key (handed to a restarted coordinator).</summary>
    public string FederationDirectory => _federationDirectory;

    /// <summary>The federation CA (its certificate is what every client trusts).</summary>
    public CertificateAuthority Ca => _ca;

    public IServiceProvider Services => _app.Services;

    /// <summary>The test coordinator serving <paramref name="address"/>.</summary>
    public static TestCoordinator For(Uri address) =>
        Running.TryGetValue(address, out var coordinator) ? coordinator : throw new InvalidOperationException($"No test coordinator at {address}.");

    /// <summary>Signs a certificate for <paramref name="name"/> in <paramref name="role"/> directly with the CA (as enrollment would) and saves it.</summary>
    public ClientCredentials IssueCredentials(string name, string role, TimeSpan? lifetime = null)
    {
        using var certificate = _ca.IssueClientWithKey(name, role, lifetime ?? TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        return ClientCredentials.Save(Path.Combine(_federationDirectory, "clients", $"{role}-{name}-{Guid.NewGuid():N}"), _ca.Certificate, certificate);
    }

    /// <summary>The participant API as the enrolled participant <paramref name="id"/> (the channel closes with the coordinator).</summary>
    public ParticipantService.ParticipantServiceClient ParticipantClient(string id)
    {
        var channel = OpenChannel(IssueCredentials(id, Roles.Participant));
        _extraChannels.Add(channel);
        return new ParticipantService.ParticipantServiceClient(channel);
    }

    /// <summary>A channel presenting <paramref name="credentials"/> (or no certificate at all) and trusting the federation CA.</summary>
    public GrpcChannel OpenChannel(ClientCredentials? credentials) =>
        GrpcChannel.ForAddress(Address, new GrpcChannelOptions
        {
            MaxReceiveMessageSize = 8 * 1024 * 1024,
            HttpHandler = credentials?.CreateHandler() ?? TlsClient.CreateHandler(_ca.Certificate, () => null),
            DisposeHttpClient = true,
        });

    /// <param name="port">The HTTP port; a restarted coordinator passes its predecessor's, so participants find it again.</param>
    /// <param name="federationDirectory">
    /// A restarted coordinator passes its predecessor's (<see cref="DisposeKeepingFederationAsync"/>): same CA, so the
    /// participants' certificates stay valid, and same ledger key. Null: a fresh federation.
    /// </param>
    /// <param name="settings">Extra configuration on top of the test defaults.</param>
    /// <param name="testNoise">The audit's test-only noise understatement (docs/audit.md); only a host built in code can set it.</param>
    public static async Task<TestCoordinator> StartAsync(
        string connectionString, string? testData, int heartbeatSeconds = 2, int? port = null, string? federationDirectory = null,
        IReadOnlyDictionary<string, string?>? settings = null, TestOnlyNoise? testNoise = null)
    {
        port ??= FreePort.Next();
        var fresh = federationDirectory is null;
        if (federationDirectory is null)
        {
            federationDirectory = Directory.CreateTempSubdirectory("fedlearn-test-federation-").FullName;
            FederationSetup.Initialize(federationDirectory, "test", ["127.0.0.1", "localhost"], "admin", DateTimeOffset.UtcNow);
        }
        try
        {
            var app = await StartHostAsync(connectionString, testData, heartbeatSeconds, port.Value, federationDirectory, settings, testNoise);
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            var coordinator = new TestCoordinator(app, address, federationDirectory);
            Running[address] = coordinator;
            return coordinator;
        }
        catch when (fresh)
        {
            Directory.Delete(federationDirectory, recursive: true);
            throw;
        }
    }

    private static async Task<WebApplication> StartHostAsync(
        string connectionString, string? testData, int heartbeatSeconds, int port, string federationDirectory, IReadOnlyDictionary<string, string?>? settings,
        TestOnlyNoise? testNoise)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Least privilege as in production: the test database's owner migrates, the coordinator serves as a role owning nothing.
            ["ConnectionStrings:FedLearnMigrations"] = connectionString,
            ["ConnectionStrings:FedLearn"] = TestDatabase.CoordinatorConnectionStringFor(connectionString),
            ["Coordinator:TestData"] = testData ?? "",
            // FEDLEARN_TEST_LOG_DIR keeps the coordinator's JSON log of each test for diagnosis.
            ["Coordinator:LogDirectory"] = Environment.GetEnvironmentVariable("FEDLEARN_TEST_LOG_DIR") ?? "",
            ["Coordinator:HeartbeatSeconds"] = heartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:ClusterId"] = "test-" + port,
            ["Coordinator:DatabaseStartupTimeoutSeconds"] = "5",
            ["Coordinator:LedgerKeyPath"] = Path.Combine(federationDirectory, "ledger-signing-key.pem"),
            ["Coordinator:FederationDirectory"] = federationDirectory,
            ["Urls"] = $"https://127.0.0.1:{port}",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.AddCoordinatorLogging();
        builder.AddCoordinatorServices();
        if (testNoise is not null)
        {
            builder.Services.AddSingleton(testNoise);
        }
        var app = builder.Build();
        app.MapCoordinatorEndpoints();
        await app.MigrateDatabaseAsync();
        await app.StartAsync();
        return app;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_federationDirectory, recursive: true);
    }

    /// <summary>Stops this coordinator but keeps its federation files for a successor started on them.</summary>
    public Task DisposeKeepingFederationAsync() => StopAsync();

    private async Task StopAsync()
    {
        Running.TryRemove(Address, out _);
        Channel.Dispose();
        _participantChannel.Dispose();
        foreach (var channel in _extraChannels)
        {
            channel.Dispose();
        }
        await _app.StopAsync();
        await _app.DisposeAsync();
        _ca.Dispose();
    }
}
