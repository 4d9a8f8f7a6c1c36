using FedLearn.Ledger;
using FedLearn.Training;
using FedLearn.Training.Onnx;

namespace FedLearn.Cli.Audit;

/// <summary>
/// The released models θ₀ … θ_T an auditor recomputes an audit from (docs/audit.md, "Recomputing"): exported ONNX files,
/// each matched to its round by the SHA-256 of its weights in the ledger export, so no model can stand in for another.
/// </summary>
internal static class ReleasedModelFiles
{
    /// <summary>
    /// The models of rounds 0 … <paramref name="rounds"/> among <paramref name="files"/> (exported ONNX models, any order).
    /// Rounds 1 … T are matched by the checkpoint hashes in the ledger export. The initial model (round 0) has no ledger
    /// entry: it is the file with the weights the ledger header anchors (<c>initial_model_sha256</c>), or, in a ledger whose
    /// header predates that, the file whose provenance names this session and round 0, whose hash is returned for the auditor
    /// to compare with the model the session was created from.
    /// </summary>
    public static (List<float[]> Models, string InitialSha256) Load(IEnumerable<FileInfo> files, LedgerDocument ledger, int rounds)
    {
        var byHash = new Dictionary<string, float[]>(StringComparer.Ordinal);
        (float[] Weights, string Sha256)? initial = null;
        foreach (var file in files)
        {
            if (!file.Exists)
            {
                throw new ArgumentException($"No model file at '{file.FullName}'.");
            }
            var bytes = File.ReadAllBytes(file.FullName);
            ImportedModel model;
            try
            {
                model = OnnxModelImporter.Import(bytes);
            }
            catch (OnnxImportException e)
            {
                throw new ArgumentException($"'{file.FullName}' is not a model FedLearn exported: {e.Message}", e);
            }
            var sha256 = WeightHash.Sha256Hex(model.Weights);
            byHash.TryAdd(sha256, model.Weights);
            var provenance = Commands.ModelCommands.Provenance(bytes);
            if (ledger.Header.InitialModelSha256 is null && provenance.GetValueOrDefault("fedlearn.round") == "0"
                && provenance.GetValueOrDefault("fedlearn.session_id") == ledger.Header.SessionId)
            {
                initial = (model.Weights, sha256);
            }
        }
        if (ledger.Header.InitialModelSha256 is { } anchored && byHash.TryGetValue(anchored, out var anchoredWeights))
        {
            initial = (anchoredWeights, anchored);
        }
        var models = new List<float[]>(rounds + 1)
        {
            initial?.Weights ?? throw new ArgumentException(ledger.Header.InitialModelSha256 is { } expected
                ? $"No model file has the weights of the initial model the ledger header anchors (sha256 {expected}); export it with `fedlearn model export --session {ledger.Header.SessionId} --initial --out FILE`."
                : $"No model file is the initial model of session {ledger.Header.SessionId}; export it with `fedlearn model export --session {ledger.Header.SessionId} --initial --out FILE`."),
        };
        for (var round = 1; round <= rounds; round++)
        {
            var checkpoint = ledger.Checkpoints.FirstOrDefault(c => c.Round == round)
                ?? throw new ArgumentException($"The ledger export lists no checkpoint for round {round}, so no model can be matched to it.");
            models.Add(byHash.TryGetValue(checkpoint.Sha256, out var weights) ? weights : throw new ArgumentException(
                $"No model file has the weights of round {round} (checkpoint sha256 {checkpoint.Sha256}); export it with " +
                $"`fedlearn model export --session {ledger.Header.SessionId} --round {round} --out FILE`."));
        }
        return (models, initial.Value.Sha256);
    }
}
