using System.Globalization;
using System.Text;

namespace FedLearn.Ledger;

/// <summary>
/// CSV export of the entries for spreadsheets (RFC 4180: header row, CRLF line ends, fields quoted when they hold a
/// comma, quote, CR or LF, quotes doubled). Numbers and times are written exactly as in the canonical encoding; a member
/// the canonical encoding omits (a guarantee level the ledger does not declare) is an empty field.
/// </summary>
public static class LedgerCsv
{
    public static readonly IReadOnlyList<string> Columns =
    [
        "sequence", "session_id", "round", "recorded_at", "mechanism", "sampling_rate", "noise_multiplier", "clip_norm",
        "sensitivity", "participants_selected", "participants_aggregated", "delta", "epsilon_rdp", "epsilon_pld",
        "epsilon_against_coordinator_rdp", "epsilon_against_coordinator_pld", "sampler_tv_distance", "delta_total",
        "delta_total_against_coordinator", "dimension", "grid_scale", "integer_noise_variance", "padded_dimension",
        "shamir_threshold", "minimum_survivors", "dropout_allowance", "corruption_rate", "clip_target_quantile",
        "clip_learning_rate", "bit_noise_stddev", "report_noise_variance", "noisy_unclipped_count", "assumed_colluders",
        "colluder_tail_probability", "example_epsilon_max", "model_sha256", "previous_hash", "entry_hash", "signature",
    ];

    public static string Write(IEnumerable<LedgerEntry> entries)
    {
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        Write(entries, writer);
        return writer.ToString();
    }

    public static void Write(IEnumerable<LedgerEntry> entries, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(writer);
        WriteRow(writer, Columns);
        foreach (var e in entries)
        {
            WriteRow(writer,
            [
                Integer(e.Sequence), e.SessionId, Integer(e.Round), LedgerTime.Format(e.RecordedAt), e.Mechanism,
                Number(e.SamplingRate), Number(e.NoiseMultiplier), Number(e.ClipNorm), Number(e.Sensitivity),
                Integer(e.ParticipantsSelected), Integer(e.ParticipantsAggregated), Number(e.Delta),
                Number(e.EpsilonRdp), Number(e.EpsilonPld), Number(e.EpsilonAgainstCoordinatorRdp), Number(e.EpsilonAgainstCoordinatorPld),
                Number(e.SamplerTvDistance), Number(e.DeltaTotal), Number(e.DeltaTotalAgainstCoordinator),
                Integer(e.Dimension), Number(e.GridScale), Integer(e.IntegerNoiseVariance), Integer(e.PaddedDimension),
                Integer(e.ShamirThreshold), Integer(e.MinimumSurvivors), Number(e.DropoutAllowance), Number(e.CorruptionRate),
                Number(e.ClipTargetQuantile), Number(e.ClipLearningRate), Number(e.BitNoiseStddev), Integer(e.ReportNoiseVariance),
                Number(e.NoisyUnclippedCount),
                Integer(e.AssumedColluders), Number(e.ColluderTailProbability),
                Number(e.ExampleEpsilonMax), e.ModelSha256, e.PreviousHash, e.EntryHash, e.Signature,
            ]);
        }
    }

    /// <summary>One RFC 4180 field.</summary>
    public static string Quote(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return string.Empty;
        }

        return field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    private static void WriteRow(TextWriter writer, IReadOnlyList<string> fields)
    {
        var line = new StringBuilder();
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                line.Append(',');
            }

            line.Append(Quote(fields[i]));
        }

        writer.Write(line.Append("\r\n").ToString());
    }

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Integer(long? value) => value is { } v ? Integer(v) : string.Empty;

    /// <summary>An absent value (a guarantee level the ledger does not declare) is an empty field.</summary>
    private static string Number(double? value) => value?.ToString("R", CultureInfo.InvariantCulture) ?? string.Empty;
}
