using System.Text.Json;

namespace FedLearn.Participant.Policy;

/// <summary>
/// Reads a policy file. Strict on purpose: a misspelt field silently ignored would be a limit the owner believes in
/// but the daemon does not enforce, so unknown or repeated fields, wrong types and out-of-range values are errors.
/// </summary>
/// <remarks>
/// <c>max_epsilon_per_session</c> and <c>max_delta</c> are required: they are what the policy is for.
/// <c>min_participants_per_round</c> defaults to 1, <c>require_secure_aggregation</c> to false and
/// <c>allow_non_private_sessions</c> to false: a data owner who writes a policy has asked for a guarantee, and a session
/// without differential privacy gives none, so taking part in one must be said explicitly.
/// <c>max_epsilon_against_coordinator</c> is optional: without it no limit is set on the guarantee against the coordinator.
/// </remarks>
public static class ParticipantPolicyFile
{
    private static readonly string[] KnownFields =
        ["max_epsilon_per_session", "max_delta", "min_participants_per_round", "require_secure_aggregation", "allow_non_private_sessions",
         "max_epsilon_against_coordinator"];

    /// <exception cref="InvalidDataException">The file is missing, unreadable or not a valid policy; the message says why.</exception>
    public static ParticipantPolicy Load(string path)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"Cannot read the policy file '{path}': {e.Message}", e);
        }
        return Parse(json, path);
    }

    /// <exception cref="InvalidDataException">Not a valid policy; the message names <paramref name="source"/> and the field.</exception>
    public static ParticipantPolicy Parse(string json, string source)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = true,
            });
        }
        catch (JsonException e)
        {
            throw Error(source, $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw Error(source, "the policy must be a JSON object.");
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!KnownFields.Contains(property.Name, StringComparer.Ordinal))
                {
                    throw Error(source, $"unknown field \"{property.Name}\"; the fields are {string.Join(", ", KnownFields)}.");
                }
                if (!seen.Add(property.Name))
                {
                    throw Error(source, $"field \"{property.Name}\" appears more than once.");
                }
            }

            var maxEpsilon = Number(root, "max_epsilon_per_session", source)
                ?? throw Error(source, "\"max_epsilon_per_session\" is required.");
            if (!(maxEpsilon > 0) || !double.IsFinite(maxEpsilon))
            {
                throw Error(source, $"\"max_epsilon_per_session\" must be a finite number > 0; got {maxEpsilon}.");
            }
            var maxDelta = Number(root, "max_delta", source) ?? throw Error(source, "\"max_delta\" is required.");
            if (!(maxDelta > 0 && maxDelta < 1))
            {
                throw Error(source, $"\"max_delta\" must be a number in (0, 1); got {maxDelta}.");
            }
            var minParticipants = Number(root, "min_participants_per_round", source) ?? 1;
            if (minParticipants is < 1 or > int.MaxValue || minParticipants != Math.Floor(minParticipants))
            {
                throw Error(source, $"\"min_participants_per_round\" must be a whole number >= 1; got {minParticipants}.");
            }
            var maxAgainstCoordinator = Number(root, "max_epsilon_against_coordinator", source);
            if (maxAgainstCoordinator is { } limit && (!(limit > 0) || !double.IsFinite(limit)))
            {
                throw Error(source, $"\"max_epsilon_against_coordinator\" must be a finite number > 0; got {limit}.");
            }
            return new ParticipantPolicy(
                maxEpsilon,
                maxDelta,
                (int)minParticipants,
                Boolean(root, "require_secure_aggregation", source) ?? false,
                Boolean(root, "allow_non_private_sessions", source) ?? false,
                MaxEpsilonAgainstCoordinator: maxAgainstCoordinator);
        }
    }

    private static double? Number(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }
        // JSON has no NaN or infinity literals, so a number that parses is finite; strings such as "NaN" are refused here.
        return value.ValueKind == JsonValueKind.Number && value.TryGetDouble(out var number)
            ? number
            : throw Error(source, $"\"{name}\" must be a number; got {Describe(value)}.");
    }

    private static bool? Boolean(JsonElement root, string name, string source)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return null;
        }
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Error(source, $"\"{name}\" must be true or false; got {Describe(value)}."),
        };
    }

    private static string Describe(JsonElement value) =>
        value.ValueKind == JsonValueKind.String ? $"the string \"{value.GetString()}\"" : value.GetRawText();

    private static InvalidDataException Error(string source, string message) => new($"Policy file '{source}': {message}");
}
