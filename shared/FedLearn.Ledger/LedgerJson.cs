using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace FedLearn.Ledger;

/// <summary>
/// The export file: <c>{"format": "fedlearn-ledger/1", "header": {…}, "entries": […], "checkpoints": […]}</c>,
/// snake_case keys, indented. This is a transport format only: hashes and signatures are over the canonical
/// encoding (<see cref="LedgerCanonicalEncoding"/>), so reformatting the file does not affect verification.
/// </summary>
public static class LedgerJson
{
    public const string Format = "fedlearn-ledger/1";

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    public static string Serialize(LedgerDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return JsonSerializer.Serialize(
            new LedgerFile(Format, document.Header, document.Entries, document.Checkpoints), Options);
    }

    /// <exception cref="LedgerFormatException">The text is not a fedlearn-ledger/1 document.</exception>
    public static LedgerDocument Deserialize(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            using (var probe = JsonDocument.Parse(json))
            {
                if (probe.RootElement.ValueKind != JsonValueKind.Object
                    || !probe.RootElement.TryGetProperty("format", out var format)
                    || format.ValueKind != JsonValueKind.String)
                {
                    throw new LedgerFormatException($"Not a ledger export: expected a JSON object with \"format\": \"{Format}\".");
                }

                if (format.GetString() != Format)
                {
                    throw new LedgerFormatException($"Unsupported ledger format \"{format.GetString()}\"; this reader understands \"{Format}\".");
                }
            }

            var root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { AllowDuplicateProperties = false })!;
            DropLegacyDerivedMembers(root);
            var file = root.Deserialize<LedgerFile>(Options)
                ?? throw new LedgerFormatException("The ledger export is null.");
            if (file.Entries.Any(e => e is null) || file.Checkpoints.Any(c => c is null))
            {
                throw new LedgerFormatException("The ledger export contains null entries or checkpoints.");
            }

            return new LedgerDocument(file.Header, file.Entries, file.Checkpoints);
        }
        catch (JsonException ex)
        {
            var where = ex.Path is null ? string.Empty : $" at {ex.Path}";
            var line = ex.LineNumber is { } l ? $" (line {l + 1})" : string.Empty;
            throw new LedgerFormatException($"Malformed ledger export{where}{line}: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Exports written before the format was pinned carry <c>header.has_participant_level</c>, a value derived from the
    /// budget; it was never hashed or signed. It is dropped (when it is a boolean) so those exports keep reading.
    /// </summary>
    private static void DropLegacyDerivedMembers(JsonNode root)
    {
        if (root["header"] is JsonObject header
            && header.TryGetPropertyValue(LegacyHasParticipantLevel, out var value)
            && value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            header.Remove(LegacyHasParticipantLevel);
        }
    }

    private const string LegacyHasParticipantLevel = "has_participant_level";

    private sealed record LedgerFile(
        string Format,
        LedgerHeader Header,
        IReadOnlyList<LedgerEntry> Entries,
        IReadOnlyList<CheckpointReference> Checkpoints);
}
