using System.CommandLine;
using System.Diagnostics;
using System.Net;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using FedLearn.Identity;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// The floor a coordinator's data path is compared with: a bare ParticipantService on the same transport (Kestrel,
/// HTTP/2, mutual TLS 1.3 with the federation's server certificate) that does nothing but move the bytes: it serves one
/// model serialized once to every download, reads every upload chunk and drops it, and accepts every metrics report. No
/// grains, no database, no validation. Run as its own process (hidden command <c>floor-server</c>) so its CPU is measured
/// like the coordinator's.
/// </summary>
internal static class FloorServer
{
    public static Command Command()
    {
        var port = new Option<int>("--port") { Required = true };
        var federation = new Option<string>("--federation") { Required = true };
        var parameters = new Option<int>("--parameters") { Required = true };
        var command = new Command("floor-server", "Internal: the bare gRPC server the coordinator benchmark measures its floor with.") { port, federation, parameters };
        command.Hidden = true;
        command.SetAction((parse, ct) => RunAsync(parse.GetValue(port), parse.GetValue(federation)!, parse.GetValue(parameters), ct));
        return command;
    }

    private static async Task<int> RunAsync(int port, string federation, int parameters, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = CredentialFiles.LoadWithKey(Path.Combine(federation, FederationSetup.ServerCertificate), Path.Combine(federation, FederationSetup.ServerKey));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxConcurrentConnections = null;
            kestrel.Listen(IPAddress.Loopback, port, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls13,
                    ClientCertificateMode = ClientCertificateMode.RequireCertificate,
                    // The floor checks nothing beyond the handshake itself.
                    ClientCertificateValidation = (_, _, _) => true,
                });
            });
        });
        builder.Services.AddGrpc(grpc => grpc.MaxReceiveMessageSize = 8 * 1024 * 1024);
        builder.Services.AddSingleton(new FloorModel(parameters));
        var app = builder.Build();
        app.MapGrpcService<FloorParticipantService>();
        await app.RunAsync(ct);
        return 0;
    }

    /// <summary>Starts the floor server as a child process on a free port and waits until it answers.</summary>
    public static async Task<(Process Process, Uri Address)> StartAsync(string federation, int parameters, string logPath, CancellationToken ct)
    {
        var port = CoordinatorUnderTestPorts.Free();
        var self = System.Reflection.Assembly.GetEntryAssembly()!.Location;
        var start = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", "exec dotnet \"$0\" floor-server --port \"$1\" --federation \"$2\" --parameters \"$3\" > \"$4\" 2>&1", self, $"{port}", federation, $"{parameters}", logPath },
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the floor server.");
        var address = new Uri($"https://127.0.0.1:{port}");
        var deadline = DateTimeOffset.UtcNow.AddMinutes(1);
        while (true)
        {
            try
            {
                using var client = new System.Net.Sockets.TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port, ct);
                return (process, address);
            }
            catch (System.Net.Sockets.SocketException) when (DateTimeOffset.UtcNow < deadline && !process.HasExited)
            {
                await Task.Delay(200, ct);
            }
        }
    }
}

/// <summary>The floor's model: serialized once, the same chunk messages for every download.</summary>
internal sealed class FloorModel
{
    public FloorModel(int parameters)
    {
        var weights = new float[parameters];
        Array.Fill(weights, 0.01f);
        Chunks = [.. TensorChunking.Split(weights).Select(c => new ModelChunk { ParameterCount = parameters, Chunk = c })];
    }

    public IReadOnlyList<ModelChunk> Chunks { get; }
}

internal sealed class FloorParticipantService(FloorModel model) : ParticipantService.ParticipantServiceBase
{
    public override async Task DownloadModel(DownloadModelRequest request, IServerStreamWriter<ModelChunk> responseStream, ServerCallContext context)
    {
        foreach (var chunk in model.Chunks)
        {
            await responseStream.WriteAsync(chunk, context.CancellationToken);
        }
    }

    public override async Task<UploadUpdateReply> UploadUpdate(IAsyncStreamReader<UpdateChunk> requestStream, ServerCallContext context)
    {
        long floats = 0;
        while (await requestStream.MoveNext(context.CancellationToken))
        {
            if (requestStream.Current.Chunk is { } chunk)
            {
                floats += MemoryMarshal.Cast<byte, float>(chunk.Data.Span).Length;
            }
        }
        return new UploadUpdateReply { Accepted = floats > 0 };
    }

    public override Task<ReportMetricsReply> ReportMetrics(LocalMetrics request, ServerCallContext context) =>
        Task.FromResult(new ReportMetricsReply { Accepted = true });
}

internal static class CoordinatorUnderTestPorts
{
    public static int Free()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
