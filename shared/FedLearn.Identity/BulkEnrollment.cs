using System.Security.Cryptography.X509Certificates;
using FedLearn.Protos.V1;
using Grpc.Net.Client;

namespace FedLearn.Identity;

/// <summary>
/// Enrolls a whole population of participant identities at once, for simulations and load benchmarks that run thousands of
/// participants in one process: whoever holds the federation CA's key (<c>fedlearn federation init</c> wrote it) signs one
/// client certificate per name, each over its own fresh P-256 key, exactly as <see cref="CertificateAuthority.IssueClient(byte[], string, string, TimeSpan, DateTimeOffset)"/>
/// signs an enrollment's request. The identities are ordinary participants to the coordinator (CN = the participant id,
/// role participant) and stay in memory; <see cref="ClientCredentials.Save(string, X509Certificate2, X509Certificate2)"/>
/// writes one to disk if a daemon needs it.
/// <see cref="EnrollParticipantsAsync"/> is the admin's way, through the coordinator instead of the CA's key: each name
/// invited and enrolled at once over the identity API (recorded, audited and revocable like any participant), the
/// credentials written to <c>DIRECTORY/NAME</c> with the key (mode 600) made on the admin's machine, which suits a
/// simulation and nothing else. The coordinator is authenticated once, by the CA fingerprint in the first token, and one
/// channel carries every enrollment.
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

    /// <param name="admin">A channel presenting an admin's certificate.</param>
    /// <param name="names">The participant ids to enroll; a name whose credentials already exist under
    /// <paramref name="directory"/> is skipped, so an interrupted run can be repeated.</param>
    /// <param name="parallelism">Enrollments under way at once.</param>
    /// <param name="progress">Told the number of names done (enrolled or skipped) as it grows.</param>
    /// <returns>How many were enrolled now and how many were skipped because they already were.</returns>
    public static async Task<(int Enrolled, int Skipped)> EnrollParticipantsAsync(
        GrpcChannel admin, Uri coordinator, IReadOnlyList<string> names, string directory, int validHours, int parallelism,
        IProgress<int>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(admin);
        ArgumentNullException.ThrowIfNull(names);
        ArgumentOutOfRangeException.ThrowIfLessThan(parallelism, 1);
        foreach (var name in names)
        {
            IdentityNames.Require(name);
        }
        var identity = new IdentityService.IdentityServiceClient(admin);
        var pending = names.Where(n => !ClientCredentials.Exist(Path.Combine(directory, n))).ToList();
        var skipped = names.Count - pending.Count;
        if (pending.Count == 0)
        {
            return (0, skipped);
        }
        var first = await InviteAsync(identity, pending[0], validHours, ct);
        var ca = await EnrollmentClient.FetchPinnedCaAsync(coordinator, first.CaFingerprint, ct);
        using var channel = EnrollmentClient.OpenEnrollmentChannel(coordinator, ca);
        var done = skipped;
        await Parallel.ForEachAsync(pending.Select((name, i) => (name, i)),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct },
            async (item, token) =>
            {
                var invitation = item.i == 0 ? first : await InviteAsync(identity, item.name, validHours, token);
                await EnrollmentClient.EnrollAsync(channel, ca, invitation, Path.Combine(directory, item.name), Roles.Participant, token);
                progress?.Report(Interlocked.Increment(ref done));
            });
        return (pending.Count, skipped);
    }

    private static async Task<EnrollmentToken> InviteAsync(IdentityService.IdentityServiceClient identity, string name, int validHours, CancellationToken ct)
    {
        var invitation = await identity.CreateInvitationAsync(
            new CreateInvitationRequest { Name = name, Role = Roles.Participant, ValidHours = validHours }, cancellationToken: ct);
        return EnrollmentToken.TryParse(invitation.Token, out var token)
            ? token
            : throw new InvalidDataException($"The coordinator's invitation for '{name}' is not a well-formed token.");
    }
}
