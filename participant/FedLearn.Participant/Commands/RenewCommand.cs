using System.CommandLine;
using FedLearn.Identity;
using FedLearn.Participant.Work;

namespace FedLearn.Participant.Commands;

/// <summary><c>fedlearn-participant renew</c>: renew the certificate now (the daemon does this by itself before expiry).</summary>
internal static class RenewCommand
{
    public static Command Create()
    {
        var coordinator = new Option<string>("--coordinator") { Description = "The coordinator's https:// address.", Required = true };
        var credentials = ParticipantCredentials.Option();
        var command = new Command("renew", "Renew this participant's certificate now, with a new key, over its current identity.")
        {
            coordinator, credentials,
        };
        command.SetAction((parse, ct) => IdentityCommandErrors.RunAsync(async () =>
        {
            var url = new Uri(parse.GetRequiredValue(coordinator), UriKind.Absolute);
            var (enrolled, id) = ParticipantCredentials.Resolve(url, parse.GetRequiredValue(credentials), null);
            using var channel = CoordinatorChannel.Open(new ParticipantSettings(url, id, TimeSpan.FromSeconds(1), Credentials: enrolled));
            var renewed = await EnrollmentClient.RenewAsync(channel, enrolled!, ct);
            Console.WriteLine($"Renewed participant '{renewed.Name}'; certificate valid until {renewed.NotAfter:u}.");
            return 0;
        }));
        return command;
    }
}
