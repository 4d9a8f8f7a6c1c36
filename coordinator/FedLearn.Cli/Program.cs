using System.CommandLine;
using FedLearn.Cli;
using FedLearn.Cli.Commands;

var root = new RootCommand("fedlearn: run federated training sessions and check their privacy guarantees.")
{
    CoordinatorConnection.Coordinator,
    CoordinatorConnection.Credentials,
    CoordinatorConnection.Json,
    FederationCommands.Create(),
    IdentityCommands.Participant(),
    IdentityCommands.User(),
    IdentityCommands.Enroll(),
    IdentityCommands.Renew(),
    AuditLogCommands.Create(),
    AuditCommands.Create(),
    SessionCommands.Create(),
    ModelCommands.Create(),
    PrivacyCommands.Create(),
    LedgerCommands.Create(),
};
return await root.Parse(args).InvokeAsync();
