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
        }

        if (!LedgerKeys.TryImportPublicKey(header.PublicKey, out var key, out var keyError))
        {
            problems.Add($"public_key is not usable: {keyError}");
        }

        key?.Dispose();
        return problems;
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

        if (entry.ParticipantsSelected < 1)
        {
            problems.Add($"participants_selected must be >= 1; got {entry.ParticipantsSelected}.");
        }

        if (entry.ParticipantsAggregated < 1 || entry.ParticipantsAggregated > entry.ParticipantsSelected)
        {
            problems.Add(
                $"participants_aggregated must be in [1, participants_selected = {entry.ParticipantsSelected}]; got {entry.ParticipantsAggregated}.");
        }

        if (entry.Mechanism != LedgerMechanisms.None)
        {
            Delta(problems, "delta", entry.Delta);
            Epsilon(problems, "epsilon_rdp", entry.EpsilonRdp);
            Epsilon(problems, "epsilon_pld", entry.EpsilonPld);
        }

        if (entry.ExampleEpsilonMax is not null)
        {
            Epsilon(problems, "example_epsilon_max", entry.ExampleEpsilonMax);
        }

        Hex(problems, "model_sha256", entry.ModelSha256);
        return problems;
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

        return problems;
    }

    /// <summary>The step this entry contributes to the composition, or null when its parameters are unusable.</summary>
    public static SubsampledGaussianStep? Step(LedgerEntry entry) =>
        LedgerMechanisms.IsAccountable(entry.Mechanism)
        && entry.SamplingRate is > 0 and <= 1
        && entry.NoiseMultiplier is { } sigma && sigma > 0 && double.IsFinite(sigma)
            ? new SubsampledGaussianStep(entry.SamplingRate.Value, sigma)
            : null;

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
