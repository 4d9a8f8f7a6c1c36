using System.Text.RegularExpressions;

namespace FedLearn.Identity;

/// <summary>What a participant's or user's name may be: the same shape as every other id of the API.</summary>
public static partial class IdentityNames
{
    public const int MaxLength = 64;

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$")]
    private static partial Regex Pattern();

    public static bool IsValid(string? name) => name is not null && Pattern().IsMatch(name);

    public static string Require(string? name, string what = "name") =>
        IsValid(name) ? name! : throw new ArgumentException($"{what} must be 1 to {MaxLength} letters, digits, '.', '_' or '-'.");
}
