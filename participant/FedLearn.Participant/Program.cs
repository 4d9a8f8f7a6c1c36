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
};
return await root.Parse(args).InvokeAsync();
