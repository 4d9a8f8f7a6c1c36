using System.Security.Cryptography;

namespace FedLearn.Ledger;

/// <summary>
/// The canonical byte encodings that are hashed and signed (specified in docs/ledger.md).
/// An entry's encoding covers every field except <c>entry_hash</c> and <c>signature</c>; the "type" key separates
/// header bytes from entry bytes so one can never be passed off as the other. Members of a guarantee level the ledger
/// does not declare are absent (never null), so a participant-level-only ledger encodes exactly as before levels existed.
/// </summary>
public static class LedgerCanonicalEncoding
{
    public const string HeaderType = "fedlearn-ledger/1/header";
    public const string EntryType = "fedlearn-ledger/1/entry";

    public static byte[] Encode(LedgerHeader header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new CanonicalJsonWriter()
            .String("type", HeaderType)
            .String("session_id", header.SessionId)
            .Time("created_at", header.CreatedAt)
            .OptionalString("neighbouring_relation", header.NeighbouringRelation)
            .OptionalInteger("accounting_version", header.AccountingVersion)
            .OptionalNumber("epsilon_budget", header.EpsilonBudget)
            .OptionalNumber("delta", header.Delta)
            .OptionalString("accountant", header.Accountant)
            .OptionalString("epsilon_against", header.EpsilonAgainst)
            .OptionalString("against_coordinator", header.AgainstCoordinator)
            .OptionalNumber("example_epsilon_budget", header.ExampleLevel?.EpsilonBudget)
            .OptionalNumber("example_delta", header.ExampleLevel?.Delta)
            .OptionalString("example_accountant", header.ExampleLevel?.Accountant)
            .OptionalNumber("example_clip_norm", header.ExampleLevel?.ClipNorm)
            .OptionalNumber("example_noise_multiplier", header.ExampleLevel?.NoiseMultiplier)
            .OptionalInteger("example_expected_batch_size", header.ExampleLevel?.ExpectedBatchSize)
            .OptionalInteger("example_calibration_attempts", header.ExampleLevel?.CalibrationAttempts)
            .OptionalString("example_epsilon_against", header.ExampleEpsilonAgainst)
            .OptionalString("initial_model_sha256", header.InitialModelSha256)
            .OptionalString("audit_commitment", header.AuditCommitment)
            .String("public_key", header.PublicKey)
            .ToUtf8();
    }

    public static byte[] Encode(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return new CanonicalJsonWriter()
            .String("type", EntryType)
            .Integer("sequence", entry.Sequence)
            .String("session_id", entry.SessionId)
            .Integer("round", entry.Round)
            .Time("recorded_at", entry.RecordedAt)
            .String("mechanism", entry.Mechanism)
            .OptionalNumber("sampling_rate", entry.SamplingRate)
            .OptionalNumber("noise_multiplier", entry.NoiseMultiplier)
            .OptionalNumber("clip_norm", entry.ClipNorm)
            .OptionalNumber("sensitivity", entry.Sensitivity)
            .Integer("participants_selected", entry.ParticipantsSelected)
            .Integer("participants_aggregated", entry.ParticipantsAggregated)
            .OptionalNumber("delta", entry.Delta)
            .OptionalNumber("epsilon_rdp", entry.EpsilonRdp)
            .OptionalNumber("epsilon_pld", entry.EpsilonPld)
            .OptionalNumber("epsilon_against_coordinator_rdp", entry.EpsilonAgainstCoordinatorRdp)
            .OptionalNumber("epsilon_against_coordinator_pld", entry.EpsilonAgainstCoordinatorPld)
            .OptionalNumber("sampler_tv_distance", entry.SamplerTvDistance)
            .OptionalNumber("delta_total", entry.DeltaTotal)
            .OptionalNumber("delta_total_against_coordinator", entry.DeltaTotalAgainstCoordinator)
            .OptionalInteger("dimension", entry.Dimension)
            .OptionalNumber("grid_scale", entry.GridScale)
            .OptionalInteger("integer_noise_variance", entry.IntegerNoiseVariance)
            .OptionalInteger("padded_dimension", entry.PaddedDimension)
            .OptionalInteger("shamir_threshold", entry.ShamirThreshold)
            .OptionalInteger("minimum_survivors", entry.MinimumSurvivors)
            .OptionalNumber("dropout_allowance", entry.DropoutAllowance)
            .OptionalNumber("corruption_rate", entry.CorruptionRate)
            .OptionalNumber("clip_target_quantile", entry.ClipTargetQuantile)
            .OptionalNumber("clip_learning_rate", entry.ClipLearningRate)
            .OptionalNumber("bit_noise_stddev", entry.BitNoiseStddev)
            .OptionalInteger("report_noise_variance", entry.ReportNoiseVariance)
            .OptionalNumber("noisy_unclipped_count", entry.NoisyUnclippedCount)
            .OptionalInteger("assumed_colluders", entry.AssumedColluders)
            .OptionalNumber("colluder_tail_probability", entry.ColluderTailProbability)
            .OptionalNumber("example_epsilon_max", entry.ExampleEpsilonMax)
            .String("model_sha256", entry.ModelSha256)
            .String("previous_hash", entry.PreviousHash)
            .ToUtf8();
    }

    /// <summary>Lowercase hex SHA-256 of <see cref="Encode(LedgerHeader)"/>: entry 1's previous hash.</summary>
    public static string ComputeHash(LedgerHeader header) => Sha256Hex(Encode(header));

    /// <summary>Lowercase hex SHA-256 of <see cref="Encode(LedgerEntry)"/>: the entry hash.</summary>
    public static string ComputeHash(LedgerEntry entry) => Sha256Hex(Encode(entry));

    private static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
