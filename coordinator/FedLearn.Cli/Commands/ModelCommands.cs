using System.CommandLine;
using System.Text.Json;
using FedLearn.Protos.V1;
using FedLearn.Training.Onnx.Proto;
using Grpc.Core;

namespace FedLearn.Cli.Commands;

/// <summary><c>fedlearn model export</c>: write a session's trained model as an ONNX file.</summary>
internal static class ModelCommands
{
    public static Command Create()
    {
        var session = new Option<string>("--session") { Description = "The session whose model to export.", Required = true };
        var round = new Option<int>("--round") { Description = "The round's checkpoint to export (default: the latest committed round)." };
        var initial = new Option<bool>("--initial") { Description = "Export the initial model (round 0), which has no ledger entry (an audit's recomputation needs it)." };
        var output = new Option<FileInfo>("--out") { Description = "The ONNX file to write.", Required = true };
        var export = new Command("export", "Export a committed checkpoint as a self-contained ONNX model.") { session, round, initial, output };
        export.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var file = parse.GetRequiredValue(output);
            if (parse.GetValue(initial) && parse.GetValue(round) != 0)
            {
                throw new ArgumentException("--initial exports round 0; leave out --round.");
            }
            using var channel = CoordinatorConnection.OpenChannel(parse);
            using var call = CoordinatorConnection.Admin(channel).ExportModel(
                new ExportModelRequest { SessionId = parse.GetRequiredValue(session), Round = parse.GetValue(round), Initial = parse.GetValue(initial) },
                cancellationToken: ct);
            // Write to a temporary file first so an interrupted export never leaves a truncated model behind.
            var temporary = file.FullName + ".partial";
            int exportedRound = 0;
            string sha256 = "";
            await using (var stream = File.Create(temporary))
            {
                await foreach (var chunk in call.ResponseStream.ReadAllAsync(ct))
                {
                    if (chunk.CheckpointSha256.Length > 0)
                    {
                        (exportedRound, sha256) = (chunk.Round, chunk.CheckpointSha256);
                    }
                    await stream.WriteAsync(chunk.Data.Memory, ct);
                }
            }
            File.Move(temporary, file.FullName, overwrite: true);
            var provenance = Provenance(File.ReadAllBytes(file.FullName));
            if (parse.GetValue(CoordinatorConnection.Json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object?>
                {
                    ["session"] = parse.GetRequiredValue(session),
                    ["round"] = exportedRound,
                    ["checkpoint_sha256"] = sha256,
                    ["path"] = file.FullName,
                    ["provenance"] = provenance,
                }));
            }
            else
            {
                Console.WriteLine($"Exported round {exportedRound} (checkpoint sha256 {sha256}) to {file.FullName}");
                Console.WriteLine(provenance.TryGetValue("fedlearn.ledger.entry_hash", out var entryHash)
                    ? $"Privacy ledger entry {provenance["fedlearn.ledger.sequence"]} ({entryHash}) records this model; " +
                      $"participant level: {provenance["fedlearn.ledger.participant_level"]}; " +
                      (provenance.TryGetValue("fedlearn.ledger.against_coordinator", out var coordinator) ? $"against the coordinator: {coordinator}; " : "") +
                      $"example level: {provenance["fedlearn.ledger.example_level"]}"
                    : $"Privacy: {provenance.GetValueOrDefault("fedlearn.privacy", "not stated in the model")}");
            }
            return ExitCodes.Success;
        }));
        return new Command("model", "Work with trained models.") { export };
    }

    /// <summary>The model's fedlearn.* metadata as written by the coordinator (session, round, ledger entry, guarantees).</summary>
    internal static Dictionary<string, string> Provenance(byte[] onnx) =>
        ModelProto.Parser.ParseFrom(onnx).MetadataProps
            .Where(p => p.Key.StartsWith("fedlearn.", StringComparison.Ordinal) && p.Key != "fedlearn.weights")
            .ToDictionary(p => p.Key, p => p.Value);
}
