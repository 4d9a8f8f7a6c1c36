namespace FedLearn.Participant.Commands;

/// <summary>The --coordinator value of the daemon: one address, or a cluster's addresses separated by commas.</summary>
internal static class CoordinatorAddresses
{
    /// <summary>The addresses in the order given, or null if one is not an absolute http(s) address or the schemes differ.</summary>
    public static IReadOnlyList<Uri>? Parse(string value)
    {
        var parts = value.Split(',', StringSplitOptions.TrimEntries);
        var addresses = new List<Uri>(parts.Length);
        foreach (var part in parts)
        {
            if (!Uri.TryCreate(part, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return null;
            }
            addresses.Add(uri);
        }
        // One scheme for all: a cluster is either served over mutual TLS or (development only) in plain text, never both.
        return addresses.Count > 0 && addresses.All(a => a.Scheme == addresses[0].Scheme) ? addresses : null;
    }
}
