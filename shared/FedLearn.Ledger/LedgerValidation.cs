using System.Buffers.Text;
using System.Text;
using FedLearn.Privacy;

namespace FedLearn.Ledger;

/// <summary>
/// Field rules shared by sealing (which refuses to sign a bad entry) and verification (which names it).
/// Each problem is one human-readable sentence; an empty list means the fields are well-formed.
/// </summary>
internal static class LedgerValidation
{
    public const int MaxSessionIdLength = 256;
    public const int SignatureBytes = 64;

    public static List<string> Header(LedgerHeader header)
    {
        var problems = new List<string>();
        Text(problems, "session_id", header.SessionId);
        Time(problems, "created_at", header.CreatedAt);
        if (header.HasParticipantLevel)
        {
            Positive(problems, "epsilon_budget", header.EpsilonBudget);
            Delta(problems, "delta", header.Delta);
            Accountant(problems, "accountant", header.Accountant);
        }
        else if (header.ExampleLevel is null)
        {
            problems.Add("the header declares neither a participant-level (epsilon_budget, delta, accountant) nor an example-level guarantee.");
        }

        if (header.ExampleLevel is { } example)
        {
            Positive(problems, "example_epsilon_budget", example.EpsilonBudget);
            Delta(problems, "example_delta", example.Delta);
            Accountant(problems, "example_accountant", example.Accountant);
            Positive(problems, "example_clip_norm", example.ClipNorm);
            if (!(example.NoiseMultiplier >= 0) || !double.IsFinite(example.NoiseMultiplier) || double.IsNegative(example.NoiseMultiplier))
            {
                problems.Add($"example_noise_multiplier must be a finite number >= 0 (0: calibrated by each participant); got {example.NoiseMultiplier:R}.");
            }

            if (example.ExpectedBatchSize < 1)
            {
                problems.Add($"example_expected_batch_size must be >= 1; got {example.ExpectedBatchSize}.");
            }

            // Version 2 declares the rerun allowance participants calibrate σ with; earlier headers cannot.
            if (header.RecordsSamplerResidue != example.CalibrationAttempts is not null)
            {
                problems.Add(header.RecordsSamplerResidue
                    ? "example_calibration_attempts must be declared in a header of accounting_version 2 or later."
                    : "example_calibration_attempts must be absent in a header without accounting_version 2 or later.");
            }
            else if (example.CalibrationAttempts < 4)
            {
                problems.Add($"example_calibration_attempts must be at least 4 (one round and three reruns); got {example.CalibrationAttempts}.");
            }
        }

        Adversaries(problems, header);
        if (header.AccountingVersion is { } version
            && version is not (LedgerAccountingVersions.SamplerResidueInDelta or LedgerAccountingVersions.NoiseInputsRecorded
                or LedgerAccountingVersions.ReleaseConsumersUnamplified or LedgerAccountingVersions.AdaptiveClippingRecorded
                or LedgerAccountingVersions.ColluderBoundInDelta))
        {
            problems.Add($"accounting_version must be {LedgerAccountingVersions.SamplerResidueInDelta}, {LedgerAccountingVersions.NoiseInputsRecorded}, " +
                $"{LedgerAccountingVersions.ReleaseConsumersUnamplified}, {LedgerAccountingVersions.AdaptiveClippingRecorded}, {LedgerAccountingVersions.ColluderBoundInDelta} or absent (version {LedgerAccountingVersions.EpsilonOnly}); got {version}.");
        }

        // Anchors (docs/ledger.md): both optional, so headers written before them encode and verify as sealed.
        if (header.InitialModelSha256 is not null)
        {
            Hex(problems, "initial_model_sha256", header.InitialModelSha256);
        }
        if (header.AuditCommitment is not null)
        {
            Hex(problems, "audit_commitment", header.AuditCommitment);
            if (!header.HasParticipantLevel)
            {
                problems.Add("audit_commitment needs a participant-level guarantee: only participant-level sessions are audited.");
            }
        }

        if (!LedgerKeys.TryImportPublicKey(header.PublicKey, out var key, out var keyError))
        {
            problems.Add($"public_key is not usable: {keyError}");
        }

        key?.Dispose();
        return problems;
    }

    /// <summary>
    /// The relation and adversary names: all absent (a ledger written before the header named them), or the relation
    /// "zero-out" with the adversary of every declared level's figures and nothing for an undeclared level.
    /// </summary>
    private static void Adversaries(List<string> problems, LedgerHeader header)
    {
        if (header.NeighbouringRelation is null)
        {
            foreach (var (field, value) in new[]
            {
                ("epsilon_against", header.EpsilonAgainst), ("against_coordinator", header.AgainstCoordinator),
                ("example_epsilon_against", header.ExampleEpsilonAgainst),
            }.Where(f => f.Item2 is not null))
            {
                problems.Add($"{field} must be absent in a header that names no neighbouring_relation; got \"{value}\".");
            }

            return;
        }

        if (header.NeighbouringRelation != LedgerAdversaries.ZeroOut)
        {
            problems.Add($"neighbouring_relation must be \"{LedgerAdversaries.ZeroOut}\"; got \"{header.NeighbouringRelation}\".");
        }

        var participant = header.HasParticipantLevel;
        Named(problems, "epsilon_against", header.EpsilonAgainst, participant, LedgerAdversaries.ReleaseConsumers);
        Named(problems, "against_coordinator", header.AgainstCoordinator, participant,
            LedgerAdversaries.CoordinatorRecorded, LedgerAdversaries.CoordinatorTrusted);
        Named(problems, "example_epsilon_against", header.ExampleEpsilonAgainst, header.ExampleLevel is not null,
            LedgerAdversaries.ReleaseConsumersAndCoordinator);
    }

    private static void Named(List<string> problems, string field, string? value, bool levelDeclared, params string[] allowed)
    {
        if (!levelDeclared)
        {
            if (value is not null)
            {
                problems.Add($"{field} must be absent: its guarantee level is not declared; got \"{value}\".");
            }
        }
        else if (value is null || !allowed.Contains(value))
        {
            problems.Add($"{field} must be {string.Join(" or ", allowed.Select(a => $"\"{a}\""))}; got {(value is null ? "nothing" : $"\"{value}\"")}.");
        }
    }

    /// <summary>Everything the canonical encoding covers except <c>previous_hash</c>.</summary>
    public static List<string> Content(LedgerEntry entry)
    {
        var problems = new List<string>();
        if (entry.Sequence < 1)
        {
            problems.Add($"sequence must be >= 1; got {entry.Sequence}.");
        }

        Text(problems, "session_id", entry.SessionId);
        if (entry.Round < 0)
        {
            problems.Add($"round must be >= 0; got {entry.Round}.");
        }

        Time(problems, "recorded_at", entry.RecordedAt);
        if (!LedgerMechanisms.IsKnown(entry.Mechanism))
        {
            problems.Add($"mechanism \"{entry.Mechanism}\" is not one the ledger can account for (expected \"{LedgerMechanisms.CentralGaussian}\", " +
                $"\"{LedgerMechanisms.DistributedDiscreteGaussian}\" or \"{LedgerMechanisms.None}\").");
        }

        if (entry.Mechanism == LedgerMechanisms.None)
        {
            foreach (var (field, value) in ParticipantLevelFields(entry).Where(f => f.Value is not null))
            {
                problems.Add($"{field} must be absent with mechanism \"{LedgerMechanisms.None}\" (no participant-level guarantee); got {value:R}.");
            }
        }
        else
        {
            if (!(entry.SamplingRate > 0 && entry.SamplingRate <= 1))
            {
                problems.Add($"sampling_rate must be in (0, 1]; got {Show(entry.SamplingRate)}.");
            }

            Positive(problems, "noise_multiplier", entry.NoiseMultiplier);
            Positive(problems, "clip_norm", entry.ClipNorm);
            Positive(problems, "sensitivity", entry.Sensitivity);
        }

        // A charged step of a private session may be empty (D2: the round commits with the model unchanged); a round of a
        // session without a participant-level guarantee commits only with updates.
        var least = LedgerMechanisms.IsAccountable(entry.Mechanism) ? 0 : 1;
        if (entry.ParticipantsSelected < least)
        {
            problems.Add($"participants_selected must be >= {least}; got {entry.ParticipantsSelected}.");
        }

        if (entry.ParticipantsAggregated < least || entry.ParticipantsAggregated > entry.ParticipantsSelected)
        {
            problems.Add(
                $"participants_aggregated must be in [{least}, participants_selected = {entry.ParticipantsSelected}]; got {entry.ParticipantsAggregated}.");
        }

        if (entry.Mechanism != LedgerMechanisms.None)
        {
            Delta(problems, "delta", entry.Delta);
            Epsilon(problems, "epsilon_rdp", entry.EpsilonRdp);
            Epsilon(problems, "epsilon_pld", entry.EpsilonPld);
            if (entry.EpsilonAgainstCoordinatorRdp is not null || entry.EpsilonAgainstCoordinatorPld is not null)
            {
                Epsilon(problems, "epsilon_against_coordinator_rdp", entry.EpsilonAgainstCoordinatorRdp);
                Epsilon(problems, "epsilon_against_coordinator_pld", entry.EpsilonAgainstCoordinatorPld);
            }

            SamplerResidue(problems, entry);
            NoiseInputs(problems, entry);
            AdaptiveClipping(problems, entry);
        }
        else if (entry.HasNoiseInputs)
        {
            problems.Add($"The noise inputs (dimension, grid_scale, integer_noise_variance, …) must be absent with mechanism \"{LedgerMechanisms.None}\".");
        }

        if (entry.Mechanism == LedgerMechanisms.None && entry.HasAdaptiveClipping)
        {
            problems.Add($"The adaptive-clipping members (clip_target_quantile, …) must be absent with mechanism \"{LedgerMechanisms.None}\".");
        }

        if (entry.ExampleEpsilonMax is not null)
        {
            Epsilon(problems, "example_epsilon_max", entry.ExampleEpsilonMax);
        }

        Hex(problems, "model_sha256", entry.ModelSha256);
        return problems;
    }

    /// <summary>
    /// η ∈ [0, 1] (not −0, which would encode as "-0"), and each δ that includes it in [δ, 1]: paying for the samplers' error
    /// can only raise δ, and a δ of 1 says nothing but is not false.
    /// </summary>
    private static void SamplerResidue(List<string> problems, LedgerEntry entry)
    {
        if (entry.SamplerTvDistance is not null
            && (!(entry.SamplerTvDistance is >= 0 and <= 1) || double.IsNegative(entry.SamplerTvDistance.Value)))
        {
            problems.Add($"sampler_tv_distance must be a number in [0, 1]; got {Show(entry.SamplerTvDistance)}.");
        }

        foreach (var (field, value) in new[] { ("delta_total", entry.DeltaTotal), ("delta_total_against_coordinator", entry.DeltaTotalAgainstCoordinator) })
        {
            if (value is not null && !(value >= entry.Delta && value <= 1 && value > 0))
            {
                problems.Add($"{field} must be in [delta = {Show(entry.Delta)}, 1]; got {Show(value)}.");
            }
        }

        if (entry.DeltaTotalAgainstCoordinator is not null && entry.EpsilonAgainstCoordinatorRdp is null && entry.EpsilonAgainstCoordinatorPld is null)
        {
            problems.Add("delta_total_against_coordinator must be absent in an entry that records no epsilon against the coordinator.");
        }
    }

    /// <summary>
    /// The noise inputs of accounting version 3, each when present: counts ≥ 1, D ≥ d, γ positive and finite, a and ρ in
    /// [0, 1) (ρ = 1 would leave no share certainly honest; an allowance of 1 would unmask with no survivor).
    /// </summary>
    private static void NoiseInputs(List<string> problems, LedgerEntry entry)
    {
        foreach (var (field, value) in new[]
        {
            ("dimension", (long?)entry.Dimension), ("integer_noise_variance", entry.IntegerNoiseVariance), ("padded_dimension", entry.PaddedDimension),
            ("shamir_threshold", entry.ShamirThreshold), ("minimum_survivors", entry.MinimumSurvivors),
        })
        {
            if (value is < 1)
            {
                problems.Add($"{field} must be >= 1; got {value}.");
            }
        }

        if (entry.PaddedDimension < entry.Dimension)
        {
            problems.Add($"padded_dimension must be >= dimension = {entry.Dimension}; got {entry.PaddedDimension}.");
        }

        if (entry.GridScale is { } gamma && !(gamma > 0 && double.IsFinite(gamma)))
        {
            problems.Add($"grid_scale must be a positive finite number; got {gamma:R}.");
        }

        foreach (var (field, value) in new[] { ("dropout_allowance", entry.DropoutAllowance), ("corruption_rate", entry.CorruptionRate) })
        {
            if (value is { } v && (!(v is >= 0 and < 1) || double.IsNegative(v)))
            {
                problems.Add($"{field} must be a number in [0, 1); got {v:R}.");
            }
        }

        if (entry.AssumedColluders is < 0)
        {
            problems.Add($"assumed_colluders must be >= 0; got {entry.AssumedColluders}.");
        }

        if (entry.ColluderTailProbability is { } tail && !(tail is > 0 and < 1))
        {
            problems.Add($"colluder_tail_probability must be a number in (0, 1); got {tail:R}.");
        }
    }

    /// <summary>
    /// Adaptive clipping (version 5), each member when present: γ in (0, 1), η_C in (0, 10], σ_b positive and finite, the
    /// count's noise variance ≥ 1 and the noisy count finite; the four parameters all or none, and the count only with them.
    /// </summary>
    private static void AdaptiveClipping(List<string> problems, LedgerEntry entry)
    {
        if (!entry.HasAdaptiveClipping)
        {
            return;
        }

        if (entry.ClipTargetQuantile is null || entry.ClipLearningRate is null || entry.BitNoiseStddev is null || entry.ReportNoiseVariance is null)
        {
            problems.Add("clip_target_quantile, clip_learning_rate, bit_noise_stddev and report_noise_variance are recorded together or not at all.");
        }

        if (entry.ClipTargetQuantile is { } target && !(target > 0 && target < 1))
        {
            problems.Add($"clip_target_quantile must be in (0, 1); got {target:R}.");
        }

        if (entry.ClipLearningRate is { } rate && !(rate > 0 && rate <= Privacy.AdaptiveClipping.MaxLearningRate))
        {
            problems.Add($"clip_learning_rate must be in (0, {Privacy.AdaptiveClipping.MaxLearningRate}]; got {rate:R}.");
        }

        if (entry.BitNoiseStddev is { } stddev && !(stddev > 0 && double.IsFinite(stddev)))
        {
            problems.Add($"bit_noise_stddev must be a positive finite number; got {stddev:R}.");
        }

        if (entry.ReportNoiseVariance is < 1)
        {
            problems.Add($"report_noise_variance must be >= 1; got {entry.ReportNoiseVariance}.");
        }

        if (entry.NoisyUnclippedCount is { } count && !double.IsFinite(count))
        {
            problems.Add($"noisy_unclipped_count must be a finite number; got {count:R}.");
        }
    }

    /// <summary>All fields, including the chain and signature fields, as stored in a sealed entry.</summary>
    public static List<string> Sealed(LedgerEntry entry)
    {
        var problems = Content(entry);
        Hex(problems, "previous_hash", entry.PreviousHash);
        Hex(problems, "entry_hash", entry.EntryHash);
        if (!IsSignatureShaped(entry.Signature))
        {
            problems.Add($"signature must be base64 of {SignatureBytes} bytes (IEEE P1363 r||s).");
        }

        return problems;
    }

    /// <summary>
    /// Whether the entry records the guarantee levels its header declares, and only those: a real mechanism exactly when
    /// the header has a participant-level budget, <c>example_epsilon_max</c> exactly when it declares an example level.
    /// </summary>
    public static List<string> Levels(LedgerHeader header, LedgerEntry entry)
    {
        var problems = new List<string>();
        if (header.HasParticipantLevel && entry.Mechanism == LedgerMechanisms.None)
        {
            problems.Add($"The header declares a participant-level budget but the entry records mechanism \"{LedgerMechanisms.None}\".");
        }
        else if (!header.HasParticipantLevel && entry.Mechanism != LedgerMechanisms.None)
        {
            problems.Add($"The header declares no participant-level guarantee but the entry records mechanism \"{entry.Mechanism}\".");
        }

        if (header.ExampleLevel is not null && entry.ExampleEpsilonMax is null)
        {
            problems.Add("The header declares an example-level guarantee but the entry records no example_epsilon_max.");
        }
        else if (header.ExampleLevel is null && entry.ExampleEpsilonMax is not null)
        {
            problems.Add("The entry records example_epsilon_max but the header declares no example-level guarantee.");
        }

        var againstCoordinator = entry.EpsilonAgainstCoordinatorRdp is not null || entry.EpsilonAgainstCoordinatorPld is not null;
        if (header.RecordsEpsilonAgainstCoordinator && !againstCoordinator && entry.Mechanism != LedgerMechanisms.None)
        {
            problems.Add("The header's against_coordinator is \"recorded\" but the entry records no epsilon_against_coordinator_rdp/_pld.");
        }
        else if (!header.RecordsEpsilonAgainstCoordinator && againstCoordinator)
        {
            problems.Add($"The entry records epsilon against the coordinator but the header's against_coordinator is " +
                $"{(header.AgainstCoordinator is null ? "absent" : $"\"{header.AgainstCoordinator}\"")}.");
        }

        var residue = entry.SamplerTvDistance is not null || entry.DeltaTotal is not null || entry.DeltaTotalAgainstCoordinator is not null;
        if (header.RecordsSamplerResidue && LedgerMechanisms.IsAccountable(entry.Mechanism))
        {
            if (entry.SamplerTvDistance is null || entry.DeltaTotal is null)
            {
                problems.Add($"The header's accounting_version is {header.AccountingVersion} but the entry records no sampler_tv_distance/delta_total.");
            }

            if (header.RecordsEpsilonAgainstCoordinator && entry.DeltaTotalAgainstCoordinator is null)
            {
                problems.Add("The header's against_coordinator is \"recorded\" but the entry records no delta_total_against_coordinator.");
            }
        }
        else if (!header.RecordsSamplerResidue && residue)
        {
            problems.Add("The entry records sampler_tv_distance/delta_total but the header's accounting_version does not include the sampler residue.");
        }

        NoiseInputLevels(problems, header, entry);
        AdaptiveClippingLevels(problems, header, entry);

        // Only secure aggregation hides the updates from the coordinator: central noise must say it is trusted, and a
        // ledger that records figures against the coordinator must have used the distributed mechanism.
        if (header.AgainstCoordinator is { } declared && LedgerMechanisms.IsAccountable(entry.Mechanism)
            && declared != LedgerAdversaries.AgainstCoordinatorFor(entry.Mechanism))
        {
            problems.Add($"Mechanism \"{entry.Mechanism}\" does not match the header's against_coordinator \"{declared}\".");
        }

        return problems;
    }

    /// <summary>
    /// Version 3 records the noise inputs in every participant-level entry: central noise d, γ, σ_int² and nothing else;
    /// secure aggregation all eight or none (none only for a draw below the minimum cohort, which opened no plan and was sent
    /// nothing, so it must aggregate nothing and record η = 0). Earlier versions record none.
    /// </summary>
    private static void NoiseInputLevels(List<string> problems, LedgerHeader header, LedgerEntry entry)
    {
        if (!header.RecordsNoiseInputs || !LedgerMechanisms.IsAccountable(entry.Mechanism))
        {
            if (entry.HasNoiseInputs && LedgerMechanisms.IsAccountable(entry.Mechanism))
            {
                problems.Add("The entry records noise inputs (dimension, grid_scale, …) but the header's accounting_version does not include them.");
            }

            return;
        }

        var common = entry.Dimension is not null && entry.GridScale is not null && entry.IntegerNoiseVariance is not null;
        var secure = entry.PaddedDimension is not null && entry.ShamirThreshold is not null && entry.MinimumSurvivors is not null
            && entry.DropoutAllowance is not null && entry.CorruptionRate is not null;
        // The colluder bound's two members are checked below, once the eight are known to be there.
        if (entry.Mechanism == LedgerMechanisms.CentralGaussian)
        {
            if (!common || entry.HasSecureInputs)
            {
                problems.Add($"Accounting version {header.AccountingVersion}: a \"{entry.Mechanism}\" entry records exactly dimension, grid_scale and integer_noise_variance.");
            }
        }
        else if (entry.HasNoiseInputs && !(common && secure))
        {
            problems.Add($"Accounting version {header.AccountingVersion}: a \"{entry.Mechanism}\" entry records all of dimension, grid_scale, " +
                "integer_noise_variance, padded_dimension, shamir_threshold, minimum_survivors, dropout_allowance and corruption_rate, or none of them.");
        }
        else if (entry.HasNoiseInputs && header.RecordsColluderBound != (entry.AssumedColluders is not null && entry.ColluderTailProbability is not null))
        {
            problems.Add(header.RecordsColluderBound
                ? $"Accounting version {header.AccountingVersion}: a \"{entry.Mechanism}\" entry with noise inputs records assumed_colluders and colluder_tail_probability."
                : $"Accounting version {header.AccountingVersion}: assumed_colluders and colluder_tail_probability belong to version {LedgerAccountingVersions.ColluderBoundInDelta}.");
        }
        else if (!entry.HasNoiseInputs && (entry.ParticipantsAggregated != 0 || entry.SamplerTvDistance is not 0.0))
        {
            problems.Add("An entry without noise inputs (a draw below the minimum cohort, sent nothing) must aggregate nothing and record sampler_tv_distance 0.");
        }
    }

    /// <summary>
    /// Adaptive clipping is recorded only from version 5, and the noisy count exactly when the round aggregated something: an
    /// empty step released no count.
    /// </summary>
    private static void AdaptiveClippingLevels(List<string> problems, LedgerHeader header, LedgerEntry entry)
    {
        if (!entry.HasAdaptiveClipping)
        {
            return;
        }

        if (!header.RecordsAdaptiveClipping)
        {
            problems.Add("The entry records adaptive clipping (clip_target_quantile, …) but the header's accounting_version does not include it.");
        }
        else if ((entry.NoisyUnclippedCount is not null) != (entry.ParticipantsAggregated > 0))
        {
            problems.Add("noisy_unclipped_count is recorded exactly when the round aggregated something (participants_aggregated > 0).");
        }
    }

    /// <summary>The step this entry contributes to the composition, or null when its parameters are unusable.</summary>
    public static SubsampledGaussianStep? Step(LedgerEntry entry) =>
        LedgerMechanisms.IsAccountable(entry.Mechanism)
        && entry.SamplingRate is { } q && q is > 0 and <= 1 && double.IsNormal(q)
        && entry.NoiseMultiplier is >= SubsampledGaussianStep.MinNoiseMultiplier and <= SubsampledGaussianStep.MaxNoiseMultiplier
            ? new SubsampledGaussianStep(entry.SamplingRate.Value, entry.NoiseMultiplier.Value)
            : null;

    /// <summary>
    /// The step this entry contributes against the coordinator, which draws the sample and knows the cohort: the same σ
    /// without amplification by sampling (q = 1; Kairouz et al. 2021, DP-FTRL §1), or null when σ is unusable.
    /// </summary>
    public static SubsampledGaussianStep? UnamplifiedStep(LedgerEntry entry) =>
        Step(entry) is { } step ? new SubsampledGaussianStep(1.0, step.NoiseMultiplier) : null;

    /// <summary>
    /// The step this entry contributes to the release consumers' figures under <paramref name="header"/>'s accounting version:
    /// Poisson-subsampled at the entry's q up to version 3; from version 4 the same σ with q = 1, because the realised cohort
    /// size n is published next to the noisy sum (given n a participant's inclusion has probability n/N and the others' sum
    /// depends on it, which the Poisson bound of Mironov, Talwar &amp; Zhang 2019 for the sum alone does not cover; review-10
    /// S7). Conditioned on the whole sample (independent of the data under zero-out) a step is a Gaussian mechanism of
    /// sensitivity C, and the composition over q = 1 steps bounds every release, n included.
    /// </summary>
    public static SubsampledGaussianStep? ReleaseConsumerStep(LedgerHeader header, LedgerEntry entry) =>
        header.ReleaseConsumersAmplified ? Step(entry) : UnamplifiedStep(entry);

    public static bool IsLowerHex64(string? value) =>
        value is { Length: 64 } && value.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f'));

    public static bool IsValidDelta(double? delta) => delta is > 0 and < 1;

    private static bool IsSignatureShaped(string? signature) =>
        signature is not null && Base64.IsValid(signature, out var length) && length == SignatureBytes;

    private static void Text(List<string> problems, string field, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            problems.Add($"{field} must not be empty.");
        }
        else if (value.Length > MaxSessionIdLength)
        {
            problems.Add($"{field} must be at most {MaxSessionIdLength} characters; got {value.Length}.");
        }
        else if (!IsWellFormedUtf16(value))
        {
            problems.Add($"{field} contains an unpaired surrogate and has no UTF-8 encoding.");
        }
    }

    private static void Time(List<string> problems, string field, DateTimeOffset value)
    {
        if (!LedgerTime.IsWholeMilliseconds(value))
        {
            problems.Add($"{field} must be a whole number of milliseconds; got {value:O}.");
        }
    }

    private static IEnumerable<(string Field, double? Value)> ParticipantLevelFields(LedgerEntry entry) =>
    [
        ("sampling_rate", entry.SamplingRate), ("noise_multiplier", entry.NoiseMultiplier), ("clip_norm", entry.ClipNorm),
        ("sensitivity", entry.Sensitivity), ("delta", entry.Delta), ("epsilon_rdp", entry.EpsilonRdp), ("epsilon_pld", entry.EpsilonPld),
        ("epsilon_against_coordinator_rdp", entry.EpsilonAgainstCoordinatorRdp), ("epsilon_against_coordinator_pld", entry.EpsilonAgainstCoordinatorPld),
        ("sampler_tv_distance", entry.SamplerTvDistance), ("delta_total", entry.DeltaTotal),
        ("delta_total_against_coordinator", entry.DeltaTotalAgainstCoordinator),
    ];

    private static string Show(double? value) => value is { } v ? v.ToString("R", System.Globalization.CultureInfo.InvariantCulture) : "nothing";

    private static void Positive(List<string> problems, string field, double? value)
    {
        if (!(value > 0) || !double.IsFinite(value.Value))
        {
            problems.Add($"{field} must be a finite number > 0; got {Show(value)}.");
        }
    }

    private static void Delta(List<string> problems, string field, double? delta)
    {
        if (!IsValidDelta(delta))
        {
            problems.Add($"{field} must be in (0, 1); got {Show(delta)}.");
        }
    }

    private static void Accountant(List<string> problems, string field, string? accountant)
    {
        if (accountant is not ("rdp" or "pld"))
        {
            problems.Add($"{field} must be \"rdp\" or \"pld\"; got {(accountant is null ? "nothing" : $"\"{accountant}\"")}.");
        }
    }

    private static void Epsilon(List<string> problems, string field, double? value)
    {
        // Negative zero is refused too: it would encode as "-0" and give a second byte string for the value 0.
        if (!(value >= 0) || !double.IsFinite(value.Value) || double.IsNegative(value.Value))
        {
            problems.Add($"{field} must be a finite number >= 0; got {Show(value)}.");
        }
    }

    private static void Hex(List<string> problems, string field, string? value)
    {
        if (!IsLowerHex64(value))
        {
            problems.Add($"{field} must be 64 lowercase hex digits (a SHA-256); got \"{value}\".");
        }
    }

    private static bool IsWellFormedUtf16(string value)
    {
        var span = value.AsSpan();
        while (!span.IsEmpty)
        {
            if (Rune.DecodeFromUtf16(span, out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return false;
            }

            span = span[consumed..];
        }

        return true;
    }
}
