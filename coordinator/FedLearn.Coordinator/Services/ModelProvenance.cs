using System.Globalization;
using static System.FormattableString;
using FedLearn.Ledger;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// The <c>fedlearn.*</c> metadata an exported ONNX model carries, so the file itself says where it came from: its session
/// and round, and for a session with a privacy ledger the entry that records it (sequence, entry hash, signing key) and
/// the guarantees at each level. Together with <c>fedlearn.weights_sha256</c> an auditor can find and check the entry
/// from the model alone (notebooks/ledger_audit.py --model).
/// </summary>
internal static class ModelProvenance
{
    /// <param name="signerPublicKey">The coordinator's own signing key, published instead of the header's (they are checked equal).</param>
    public static Dictionary<string, string> For(string sessionId, int round, LedgerHeader? header, LedgerEntry? entry, string signerPublicKey)
    {
        var metadata = new Dictionary<string, string>
        {
            ["fedlearn.session_id"] = sessionId,
            ["fedlearn.round"] = round.ToString(CultureInfo.InvariantCulture),
        };
        if (header is null || entry is null)
        {
            metadata["fedlearn.privacy"] = "none: the session has no differential-privacy guarantee and no privacy ledger";
            return metadata;
        }
        metadata["fedlearn.privacy"] = "ledger";
        metadata["fedlearn.ledger.sequence"] = entry.Sequence.ToString(CultureInfo.InvariantCulture);
        metadata["fedlearn.ledger.entry_hash"] = entry.EntryHash;
        metadata["fedlearn.ledger.public_key"] = signerPublicKey;
        metadata["fedlearn.ledger.key_sha256"] = LedgerSigner.Fingerprint(signerPublicKey);
        metadata["fedlearn.ledger.neighbouring_relation"] = header.NeighbouringRelation ?? "not named (ledger written before the header named it)";
        metadata["fedlearn.ledger.participant_level"] = header.HasParticipantLevel
            ? Invariant($"{entry.Mechanism}; epsilon_rdp={entry.EpsilonRdp:R}; epsilon_pld={entry.EpsilonPld:R}; delta={entry.DeltaTotal ?? entry.Delta:R}; budget={header.EpsilonBudget:R} ({header.Accountant}); ") +
              $"against {header.EpsilonAgainst ?? "an adversary not named"}; " +
              (header.ReleaseConsumersAmplified
                  ? Invariant($"amplified by Poisson sampling at q={entry.SamplingRate:R} (accounting version {header.AccountingVersion ?? 1}; the published cohort sizes are not accounted, docs/threat-model.md)")
                  : "no amplification by sampling (q = 1 per charged step: the cohort sizes are published)")
            : "none";
        if (header.HasParticipantLevel)
        {
            metadata["fedlearn.ledger.against_coordinator"] = header.RecordsEpsilonAgainstCoordinator
                ? Invariant($"worst case epsilon_rdp={entry.EpsilonAgainstCoordinatorRdp:R}; epsilon_pld={entry.EpsilonAgainstCoordinatorPld:R}; delta={entry.DeltaTotalAgainstCoordinator ?? entry.Delta:R}")
                : header.AgainstCoordinator == LedgerAdversaries.CoordinatorTrusted
                    ? "none: central noise, the coordinator is trusted (it sees the clipped updates)"
                    : "not named (ledger written before the header named it)";
        }
        metadata["fedlearn.ledger.example_level"] = header.ExampleLevel is { } example
            ? Invariant($"largest reported epsilon={entry.ExampleEpsilonMax:R}; delta={example.Delta:R}; budget={example.EpsilonBudget:R} ({example.Accountant}); ") +
              $"against {header.ExampleEpsilonAgainst ?? "an adversary not named"}"
            : "none";
        return metadata;
    }

    /// <summary>The initial model (round 0): chosen before any participant's data was seen, so it has no ledger entry.</summary>
    public static Dictionary<string, string> Initial(string sessionId) => new()
    {
        ["fedlearn.session_id"] = sessionId,
        ["fedlearn.round"] = "0",
        ["fedlearn.privacy"] = "initial model: it depends on no participant's data and has no privacy-ledger entry",
    };
}
