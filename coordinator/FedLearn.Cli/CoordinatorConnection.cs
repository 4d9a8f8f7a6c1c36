using System.CommandLine;
using FedLearn.Identity;
using FedLearn.Protos.V1;
using Grpc.Net.Client;

namespace FedLearn.Cli;

/// <summary>The options every coordinator command shares, and the mutual-TLS channel they open.</summary>
internal static class CoordinatorConnection
{
    public static readonly Option<string> Coordinator = new("--coordinator")
    {
        Description = "The coordinator's gRPC address (or set FEDLEARN_COORDINATOR). https:// (mutual TLS); http:// only for a coordinator in insecure development mode.",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("FEDLEARN_COORDINATOR") ?? "https://127.0.0.1:5100",
    };

    public static readonly Option<string> Credentials = new("--credentials")
    {
        Description = "Directory with your ca.crt, client.crt and client.key (or set FEDLEARN_CREDENTIALS; default ~/.fedlearn/credentials).",
        Recursive = true,
        DefaultValueFactory = _ => DefaultCredentialsDirectory(),
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of text.",
        Recursive = true,
    };

    public static string DefaultCredentialsDirectory() =>
        Environment.GetEnvironmentVariable("FEDLEARN_CREDENTIALS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fedlearn", "credentials");

    public static Uri Address(ParseResult parse)
    {
        var address = parse.GetRequiredValue(Coordinator);
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new ArgumentException($"--coordinator must be an https:// (or, for a development coordinator, http://) address, not '{address}'.");
        }
        return uri;
    }

    /// <summary>A channel presenting the user's certificate over TLS 1.3 (plain text only to an http:// development coordinator).</summary>
    public static GrpcChannel OpenChannel(ParseResult parse)
    {
        var uri = Address(parse);
        var options = new GrpcChannelOptions { MaxReceiveMessageSize = 8 * 1024 * 1024 };
        if (uri.Scheme == "https")
        {
            options.HttpHandler = ClientCredentials.Load(parse.GetRequiredValue(Credentials)).CreateHandler();
            options.DisposeHttpClient = true;
        }
        return GrpcChannel.ForAddress(uri, options);
    }

    public static AdminService.AdminServiceClient Admin(GrpcChannel channel) => new(channel);

    public static IdentityService.IdentityServiceClient Identity(GrpcChannel channel) => new(channel);
}
