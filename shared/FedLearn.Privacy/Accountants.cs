namespace FedLearn.Privacy;

/// <summary>Factory and parser for accountants, so configuration can name them as "rdp" / "pld".</summary>
public static class Accountants
{
    public static IPrivacyAccountant Create(AccountantKind kind) => kind switch
    {
        AccountantKind.Rdp => new RdpAccountant(),
        AccountantKind.Pld => new PldAccountant(),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown accountant kind; expected Rdp or Pld."),
    };

    /// <summary>The accountant a session declares: an empty declaration means RDP, FedLearn's default.</summary>
    public static AccountantKind ParseOrDefault(string? name) => string.IsNullOrWhiteSpace(name) ? AccountantKind.Rdp : Parse(name);

    /// <summary>The canonical name, "rdp" or "pld", as configuration, ledgers and spend logs write it.</summary>
    public static string Name(AccountantKind kind) => kind == AccountantKind.Pld ? "pld" : "rdp";

    /// <summary>Parses "rdp" or "pld" (case-insensitive, surrounding whitespace ignored).</summary>
    public static AccountantKind Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "rdp" => AccountantKind.Rdp,
            "pld" => AccountantKind.Pld,
            _ => throw new ArgumentException(
                $"Unknown privacy accountant '{name}'; expected \"rdp\" or \"pld\".", nameof(name)),
        };
    }
}
