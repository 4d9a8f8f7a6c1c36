using System.CommandLine;
using FedLearn.Benchmarks.Coordinator;

var root = new RootCommand("fedlearn-bench: benchmarks that run a real coordinator (or a bare gRPC server) on this machine.")
{
    CoordinatorBenchCommand.Create(),
    FloorServer.Command(),
};
return await root.Parse(args).InvokeAsync();
