using System.CommandLine;
using FedLearn.Identity;

namespace FedLearn.Cli.Commands;

/// <summary><c>fedlearn federation init</c>: a new federation's CA, the coordinator's certificate and a first admin.</summary>
internal static class FederationCommands
{
    public static Command Create()
    {
        var federation = new Command("federation", "Set up a federation's certificate authority.");
        federation.Add(InitCommand());
        return federation;
    }

    private static Command InitCommand()
    {
        var output = new Option<string>("--out") { Description = "Directory for ca.crt, ca.key, server.crt, server.key and admin/ (the coordinator's Coordinator:FederationDirectory).", Required = true };
        var name = new Option<string>("--name") { Description = "The federation's name (in the CA's subject).", DefaultValueFactory = _ => "fedlearn" };
        var hosts = new Option<string[]>("--server-name")
        {
            Description = "A DNS name or IP address clients use to reach the coordinator (repeatable).",
            DefaultValueFactory = _ => ["localhost", "127.0.0.1"],
            AllowMultipleArgumentsPerToken = true,
        };
        var admin = new Option<string>("--admin") { Description = "The first admin's name.", DefaultValueFactory = _ => "admin" };
        var command = new Command("init",
            "Create a self-managed federation CA (ECDSA P-256), the coordinator's TLS certificate and a first admin's credentials (in OUT/admin).")
        {
            output, name, hosts, admin,
        };
        command.SetAction((parse, ct) => CliErrors.Run(() =>
        {
            var directory = parse.GetRequiredValue(output);
            var adminName = IdentityNames.Require(parse.GetRequiredValue(admin), "--admin");
            FederationSetup.Initialize(directory, parse.GetRequiredValue(name), parse.GetRequiredValue(hosts), adminName, DateTimeOffset.UtcNow);
            using var ca = CertificateAuthority.Load(Path.Combine(directory, FederationSetup.CaCertificate), Path.Combine(directory, FederationSetup.CaKey));
            Console.WriteLine($"Federation CA      {Path.Combine(directory, FederationSetup.CaCertificate)} (SHA-256 {ca.Fingerprint})");
            Console.WriteLine($"Coordinator        {Path.Combine(directory, FederationSetup.ServerCertificate)} for {string.Join(", ", parse.GetRequiredValue(hosts))}");
            Console.WriteLine($"Admin credentials  {Path.Combine(directory, FederationSetup.AdminDirectory)} (use --credentials or FEDLEARN_CREDENTIALS)");
            Console.WriteLine("Keep ca.key on the coordinator only; it signs every enrollment.");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
