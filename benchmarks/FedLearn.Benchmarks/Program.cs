using System.CommandLine;
using FedLearn.Benchmarks.Accounting;
using FedLearn.Benchmarks.Coordinator;
using FedLearn.Benchmarks.SecAgg;
using FedLearn.Benchmarks.Training;

var root = new RootCommand("fedlearn-bench: FedLearn's benchmarks on this machine: a real coordinator under load (or a bare gRPC server), and the local engines and accountants in process.")
{
    CoordinatorBenchCommand.Create(),
    FloorServer.Command(),
    SecAggBenchCommand.Create(),
    TrainBenchCommand.Create(),
    QualityBenchCommand.Create(),
    AccountantBenchCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
