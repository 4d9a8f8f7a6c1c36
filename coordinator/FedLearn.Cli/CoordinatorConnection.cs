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
        Description = "The coordinator's gRPC address (or set FEDLEARN_COORDINATOR). https:// (mutual TLS); http:// only for a coordinator in insecure development mode. For a cluster, several addresses separated by commas: a command that finds one unavailable runs again at the next.",
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

    // One command per process: which of the --coordinator addresses it is using, moved on by MoveToNextAddress.
    private static IReadOnlyList<Uri>? s_addresses;
    private static int s_current;

    /// <summary>The address in use: the first of --coordinator, or the one <see cref="MoveToNextAddress"/> moved to.</summary>
    public static Uri Address(ParseResult parse)
    {
        s_addresses ??= Addresses(parse.GetRequiredValue(Coordinator));
        return s_addresses[s_current];
    }

    /// <summary>
    /// After the address in use answered UNAVAILABLE (down, or a silo whose cluster has not yet declared a dead peer
    /// dead): the next --coordinator address, each tried once per command, or null when none is left (or none was used).
    /// </summary>
    public static Uri? MoveToNextAddress()
    {
        if (s_addresses is null || s_current + 1 >= s_addresses.Count)
        {
            return null;
        }
        return s_addresses[++s_current];
    }

    /// <summary>--coordinator's addresses in the order given: one, or a cluster's separated by commas, all of one scheme.</summary>
    /// <exception cref="ArgumentException">One is not an absolute http(s) address, or the schemes differ.</exception>
    public static IReadOnlyList<Uri> Addresses(string value)
    {
        List<Uri> addresses = [];
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
            {
                throw new ArgumentException($"--coordinator must be an https:// (or, for a development coordinator, http://) address, or several separated by commas, not '{value}'.");
            }
            addresses.Add(uri);
        }
        // A cluster is served either over mutual TLS or (development only) in plain text, never both.
        if (addresses.Any(a => a.Scheme != addresses[0].Scheme))
        {
            throw new ArgumentException($"--coordinator's addresses must all be https:// (or all http://), not '{value}'.");
        }
        return addresses;
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
