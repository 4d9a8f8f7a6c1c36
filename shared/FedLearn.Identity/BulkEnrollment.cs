using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>
/// Enrolls a whole population of participant identities at once, for simulations and load benchmarks that run thousands of
/// participants in one process: whoever holds the federation CA's key (<c>fedlearn federation init</c> wrote it) signs one
/// client certificate per name, each over its own fresh P-256 key, exactly as <see cref="CertificateAuthority.IssueClient(byte[], string, string, TimeSpan, DateTimeOffset)"/>
/// signs an enrollment's request. The identities are ordinary participants to the coordinator (CN = the participant id,
/// role participant) and stay in memory; <see cref="ClientCredentials.Save(string, X509Certificate2, X509Certificate2)"/>
/// writes one to disk if a daemon needs it.
/// </summary>
public static class BulkEnrollment
{
    /// <summary>The names of a population: <paramref name="prefix"/>-00000, -00001, … (zero-padded to sort in order).</summary>
    public static IReadOnlyList<string> Names(string prefix, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var digits = Math.Max(5, (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
        var names = new string[count];
        for (var i = 0; i < count; i++)
        {
            names[i] = IdentityNames.Require($"{prefix}-{i.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0')}", "participant name");
        }
        return names;
    }

    /// <summary>
    /// One participant certificate with its private key per name, in the order given. Signing is spread over the cores
    /// (a P-256 key and a signature take well under a millisecond, so 10,000 identities take seconds).
    /// </summary>
    public static X509Certificate2[] IssueParticipants(CertificateAuthority ca, IReadOnlyList<string> names, TimeSpan lifetime, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(ca);
        ArgumentNullException.ThrowIfNull(names);
        var issued = new X509Certificate2[names.Count];
        // The CA's key is one ECDsa object; signing with it from several threads at once is not documented as safe.
        var signing = new Lock();
        Parallel.For(0, names.Count, i =>
        {
            using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
            X509Certificate2 certificate;
            lock (signing)
            {
                certificate = ca.IssueClient(key, names[i], Roles.Participant, lifetime, now);
            }
            using (certificate)
            {
                issued[i] = certificate.CopyWithPrivateKey(key);
            }
        });
        return issued;
    }
}
