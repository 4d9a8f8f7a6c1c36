using System.CommandLine;
using FedLearn.Identity;

namespace FedLearn.Participant.Commands;

/// <summary>Where a data owner's enrolled key and certificate live, and which participant id they make this daemon.</summary>
internal static class ParticipantCredentials
{
    public static Option<string> Option() => new("--credentials")
    {
        Description = "Directory of this participant's ca.crt, client.crt and client.key (mode 600), written by `enroll` " +
                      "(or set FEDLEARN_PARTICIPANT_CREDENTIALS; default ~/.fedlearn-participant).",
        DefaultValueFactory = _ => DefaultDirectory(),
    };

    public static string DefaultDirectory() =>
        Environment.GetEnvironmentVariable("FEDLEARN_PARTICIPANT_CREDENTIALS") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fedlearn-participant");

    /// <summary>
    /// With TLS the participant id is the certificate's name, never a flag; against an http:// development coordinator there
    /// is no certificate and --id says who this daemon is.
    /// </summary>
    public static (ClientCredentials? Credentials, string ParticipantId) Resolve(Uri coordinator, string directory, string? id)
    {
        if (coordinator.Scheme != Uri.UriSchemeHttps)
        {
            return (null, IdentityNames.Require(id, "--id (required against an http:// development coordinator)"));
        }
        if (!ClientCredentials.Exist(directory))
        {
            throw new IOException(
                $"No credentials in '{directory}'. Enroll first: fedlearn-participant enroll --coordinator {coordinator} --token TOKEN --credentials {directory}");
        }
        var credentials = ClientCredentials.Load(directory);
        var identity = credentials.Identity;
        if (identity.Role != Roles.Participant)
        {
            throw new InvalidDataException($"The certificate in '{directory}' is for a {identity.Role}, not a participant.");
        }
        if (id is not null && id != identity.Name)
        {
            throw new ArgumentException($"--id '{id}' is not this participant: its certificate in '{directory}' is for '{identity.Name}'.");
        }
        return (credentials, identity.Name);
    }
}
