using FedLearn.Coordinator.Hosting;
using FedLearn.Protos.V1;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace FedLearn.IntegrationTests.Infrastructure;

/// <summary>
/// The real coordinator host (the same registration code as Program.cs) on loopback ports chosen for the test:
/// Kestrel over HTTP/2, an Orleans silo, PostgreSQL through Npgsql.
/// </summary>
public sealed class TestCoordinator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestCoordinator(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
        Channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { MaxReceiveMessageSize = 8 * 1024 * 1024 });
        Admin = new AdminService.AdminServiceClient(Channel);
        Participants = new ParticipantService.ParticipantServiceClient(Channel);
    }

    public Uri Address { get; }

    public GrpcChannel Channel { get; }

    public AdminService.AdminServiceClient Admin { get; }

    public ParticipantService.ParticipantServiceClient Participants { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="port">The HTTP port; a restarted coordinator passes its predecessor's, so participants find it again.</param>
    public static async Task<TestCoordinator> StartAsync(string connectionString, string? testData, int heartbeatSeconds = 2, int? port = null)
    {
        port ??= FreePort.Next();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:FedLearn"] = connectionString,
            ["Coordinator:TestData"] = testData ?? "",
            // FEDLEARN_TEST_LOG_DIR keeps the coordinator's JSON log of each test for diagnosis.
            ["Coordinator:LogDirectory"] = Environment.GetEnvironmentVariable("FEDLEARN_TEST_LOG_DIR") ?? "",
            ["Coordinator:HeartbeatSeconds"] = heartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:SiloPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:GatewayPort"] = FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Coordinator:ClusterId"] = "test-" + port,
            ["Coordinator:DatabaseStartupTimeoutSeconds"] = "5",
            ["Coordinator:LedgerKeyPath"] = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"fedlearn-test-key-{port}.pem"),
            ["Urls"] = $"http://127.0.0.1:{port}",
        });
        builder.AddCoordinatorLogging();
        builder.AddCoordinatorServices();
        var app = builder.Build();
        app.MapCoordinatorEndpoints();
        await app.MigrateDatabaseAsync();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestCoordinator(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
