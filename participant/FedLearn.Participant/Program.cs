using System.CommandLine;
using FedLearn.Participant.Commands;

var root = new RootCommand("fedlearn-participant: the FedLearn participant daemon. Your data stays here; only model updates leave.")
{
    EnrollCommand.Create(),
    RunCommand.Create(),
    RenewCommand.Create(),
    SpentCommand.Create(),
    CheckLedgerCommand.Create(),
    SplitDatasetCommand.Create(),
    SimulateCommand.Create(),
    AuditExamplesCommand.Create(),
};
// Ctrl+C cancels the command's token; a daemon finishing an append, or a simulation closing thousands of connections,
// gets this long before the process is ended.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
