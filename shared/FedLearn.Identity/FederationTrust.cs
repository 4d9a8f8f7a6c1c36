using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>Checks that a certificate was issued by the federation's CA and is valid now.</summary>
public static class FederationTrust
{
    /// <summary>Null when <paramref name="certificate"/> chains to <paramref name="ca"/> and is in its validity period; otherwise why not.</summary>
    public static string? Check(X509Certificate2 certificate, X509Certificate2 ca, DateTimeOffset now, X509Certificate2Collection? intermediates = null)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        // Revocation is the coordinator's own list, checked on every call; there are no CRLs to fetch.
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        chain.ChainPolicy.VerificationTimeIgnored = false;
        if (intermediates is not null)
        {
            chain.ChainPolicy.ExtraStore.AddRange(intermediates);
        }
        if (chain.Build(certificate))
        {
            return null;
        }
        var statuses = chain.ChainStatus.Select(s => s.Status).ToHashSet();
        if (statuses.Contains(X509ChainStatusFlags.NotTimeValid))
        {
            return now.UtcDateTime > certificate.NotAfter.ToUniversalTime()
                ? "the certificate has expired."
                : "the certificate is not valid yet.";
        }
        return "the certificate was not issued by this federation's CA.";
    }
}
