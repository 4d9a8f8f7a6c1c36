using System.CommandLine;
using FedLearn.Identity;

namespace FedLearn.Participant.Commands;

/// <summary>
/// <c>fedlearn-participant enroll</c>: redeems the operator's single-use token for this participant's certificate. The key
/// is generated here and stays here (mode 600); only a certificate request is sent.
/// </summary>
internal static class EnrollCommand
{
    public static Command Create()
    {
        var coordinator = new Option<string>("--coordinator") { Description = "The coordinator's https:// address.", Required = true };
        var token = new Option<string>("--token") { Description = "The enrollment token from `fedlearn participant invite`.", Required = true };
        var credentials = ParticipantCredentials.Option();
        var command = new Command("enroll", "Enroll this participant with a token: create a key locally and obtain a short-lived certificate.")
        {
            coordinator, token, credentials,
        };
        command.SetAction((parse, ct) => IdentityCommandErrors.RunAsync(async () =>
        {
            var url = new Uri(parse.GetRequiredValue(coordinator), UriKind.Absolute);
            var enrolled = await EnrollmentClient.EnrollAsync(url, parse.GetRequiredValue(token), parse.GetRequiredValue(credentials), Roles.Participant, ct);
            var identity = enrolled.Identity;
            Console.WriteLine($"Enrolled as participant '{identity.Name}'; certificate valid until {identity.NotAfter:u} (renewed automatically by `run`).");
            Console.WriteLine($"Credentials: {enrolled.Directory} (client.key never leaves this machine)");
            return 0;
        }));
        return command;
    }
}
