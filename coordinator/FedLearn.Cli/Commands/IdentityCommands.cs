using System.CommandLine;
using FedLearn.Cli.Output;
using FedLearn.Identity;
using FedLearn.Protos.V1;

namespace FedLearn.Cli.Commands;

/// <summary>
/// <c>fedlearn participant invite|revoke|list</c>, <c>fedlearn user add|revoke|list</c> (admin) and <c>fedlearn enroll</c>
/// (a CLI user redeeming its token).
/// </summary>
internal static class IdentityCommands
{
    private static readonly Argument<string> Name = new("name") { Description = "The participant's id or the user's name (letters, digits, '.', '_', '-')." };

    private static readonly Option<int> ValidHours = new("--valid-hours")
    {
        Description = "How long the token can be redeemed (hours, 1 to 720).",
        DefaultValueFactory = _ => 72,
    };

    public static Command Participant()
    {
        var participant = new Command("participant", "Invite, revoke and list participants (admin).");
        var invite = new Command("invite", "Issue a single-use enrollment token for a participant; its data owner runs `fedlearn-participant enroll --token …`.")
        {
            Name, ValidHours,
        };
        invite.SetAction((parse, ct) => InviteAsync(parse, Roles.Participant, ct));
        participant.Add(invite);
        participant.Add(EnrollManyCommand());
        participant.Add(RevokeCommand("Revoke a participant: its certificates are refused from its next call on, and it cannot renew."));
        participant.Add(ListCommand(Roles.Participant));
        return participant;
    }

    public static Command User()
    {
        var role = new Option<string>("--role") { Description = "engineer, auditor or admin.", Required = true };
        role.AcceptOnlyFromAmong([.. Roles.UserRoles]);
        var user = new Command("user", "Add, revoke and list CLI users (admin).");
        var add = new Command("add", "Issue a single-use enrollment token for a CLI user; the user runs `fedlearn enroll --token …`.")
        {
            Name, role, ValidHours,
        };
        add.SetAction((parse, ct) => InviteAsync(parse, parse.GetRequiredValue(role), ct));
        user.Add(add);
        user.Add(RevokeCommand("Revoke a user's certificates."));
        user.Add(ListCommand(null));
        return user;
    }

    public static Command Enroll()
    {
        var token = new Option<string>("--token") { Description = "The token from `fedlearn user add`.", Required = true };
        var command = new Command("enroll", "Redeem a user token: create your key locally and store your certificate in --credentials.") { token };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var directory = parse.GetRequiredValue(CoordinatorConnection.Credentials);
            var credentials = await EnrollmentClient.EnrollAsync(CoordinatorConnection.Address(parse), parse.GetRequiredValue(token), directory, null, ct);
            var identity = credentials.Identity;
            Console.WriteLine($"Enrolled as {identity.Role} '{identity.Name}'; certificate valid until {identity.NotAfter:u}. Credentials: {directory}");
            return ExitCodes.Success;
        }));
        return command;
    }

    public static Command Renew()
    {
        var command = new Command("renew", "Renew your certificate in --credentials now, with a new key, over your current identity.");
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var credentials = ClientCredentials.Load(parse.GetRequiredValue(CoordinatorConnection.Credentials));
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var renewed = await EnrollmentClient.RenewAsync(channel, credentials, ct);
            Console.WriteLine($"Renewed {renewed.Role} '{renewed.Name}'; certificate valid until {renewed.NotAfter:u}.");
            return ExitCodes.Success;
        }));
        return command;
    }

    /// <summary><c>fedlearn participant enroll-many</c>: a simulated population's identities, invited and enrolled in one go.</summary>
    private static Command EnrollManyCommand()
    {
        var count = new Option<int>("--count") { Description = "How many participants to enroll (1 to 100000).", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "Their names: PREFIX-00000, PREFIX-00001, … (zero-padded to sort in order).", DefaultValueFactory = _ => "sim" };
        var output = new Option<string>("--out") { Description = "Directory for the credentials, one directory per participant (for `fedlearn-participant simulate --population`).", Required = true };
        var parallel = new Option<int>("--parallel") { Description = "Enrollments under way at once.", DefaultValueFactory = _ => 4 };
        var command = new Command("enroll-many",
            "Invite and enroll a simulated population in one go, writing each participant's credentials (keys made on this machine: for simulations only). Names already enrolled in --out are skipped.")
        {
            count, prefix, output, ValidHours, parallel,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var n = parse.GetRequiredValue(count);
            if (n is < 1 or > 100_000 || parse.GetRequiredValue(parallel) is < 1 or > 64)
            {
                throw new ArgumentException("--count must be between 1 and 100000 and --parallel between 1 and 64.");
            }
            var names = BulkEnrollment.Names(parse.GetRequiredValue(prefix), n);
            var directory = parse.GetRequiredValue(output);
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var stopwatch = System.Diagnostics.Stopwatch.StartNew();
            var progress = new Progress<int>(done =>
            {
                if (done % 100 == 0 || done == n)
                {
                    Console.Error.Write($"\renrolled {done}/{n}");
                }
            });
            var (enrolled, skipped) = await BulkEnrollment.EnrollParticipantsAsync(
                channel, CoordinatorConnection.Address(parse), names, directory, parse.GetRequiredValue(ValidHours), parse.GetRequiredValue(parallel), progress, ct);
            await Console.Error.WriteLineAsync();
            Console.WriteLine($"Enrolled {enrolled} participants ({skipped} already were) as {names[0]} … {names[^1]} in {stopwatch.Elapsed.TotalSeconds:F1} s; credentials in {directory}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Task<int> InviteAsync(ParseResult parse, string role, CancellationToken ct) => CliErrors.Run(async () =>
    {
        using var channel = CoordinatorConnection.OpenChannel(parse);
        var invitation = await CoordinatorConnection.Identity(channel).CreateInvitationAsync(new CreateInvitationRequest
        {
            Name = IdentityNames.Require(parse.GetRequiredValue(Name)),
            Role = role,
            ValidHours = parse.GetRequiredValue(ValidHours),
        }, cancellationToken: ct);
        if (parse.GetValue(CoordinatorConnection.Json))
        {
            Console.WriteLine(StatusText.Json(invitation));
        }
        else
        {
            // The token alone on stdout so scripts can capture it; the explanation on stderr.
            Console.WriteLine(invitation.Token);
            await Console.Error.WriteLineAsync(
                $"Single-use token for {invitation.Role} '{invitation.Name}', valid until {invitation.ExpiresAt.ToDateTimeOffset():u}. Send it over a private channel.");
        }
        return ExitCodes.Success;
    });

    private static Command RevokeCommand(string description)
    {
        var command = new Command("revoke", description) { Name };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var record = await CoordinatorConnection.Identity(channel).RevokeIdentityAsync(
                new RevokeIdentityRequest { Name = IdentityNames.Require(parse.GetRequiredValue(Name)) }, cancellationToken: ct);
            Console.WriteLine(parse.GetValue(CoordinatorConnection.Json) ? StatusText.Json(record) : $"Revoked {record.Role} '{record.Name}'.");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command ListCommand(string? role)
    {
        var command = new Command("list", role is null ? "List every identity." : $"List {role}s.");
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var reply = await CoordinatorConnection.Identity(channel).ListIdentitiesAsync(new ListIdentitiesRequest(), cancellationToken: ct);
            var rows = reply.Identities.Where(i => role is null || i.Role == role).ToList();
            if (parse.GetValue(CoordinatorConnection.Json))
            {
                var filtered = new ListIdentitiesReply();
                filtered.Identities.AddRange(rows);
                Console.WriteLine(StatusText.Json(filtered));
                return ExitCodes.Success;
            }
            foreach (var row in rows)
            {
                var expiry = row.CertificateNotAfter is null ? "no certificate" : $"certificate until {row.CertificateNotAfter.ToDateTimeOffset():u}";
                Console.WriteLine($"{row.Name,-24} {row.Role,-12} {row.Status,-9} {expiry}");
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
