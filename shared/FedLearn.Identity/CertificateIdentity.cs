using System.Formats.Asn1;
using System.Security.Cryptography.X509Certificates;

namespace FedLearn.Identity;

/// <summary>
/// Who a certificate says its holder is: the subject's common name is the name (a participant's id, a user's name), and
/// one URI subject alternative name <c>fedlearn:role/ROLE</c> is the role.
/// </summary>
/// <param name="Name">The common name.</param>
/// <param name="Role">One of <see cref="Roles"/>.</param>
/// <param name="SerialNumber">Hex serial, for revocation.</param>
/// <param name="NotAfter">When the certificate expires.</param>
public sealed record CertificateIdentity(string Name, string Role, string SerialNumber, DateTimeOffset NotAfter)
{
    /// <summary>Reads name and role; returns null with a reason when the certificate carries no valid pair.</summary>
    public static CertificateIdentity? TryRead(X509Certificate2 certificate, out string? reason)
    {
        var name = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
        if (!IdentityNames.IsValid(name))
        {
            reason = "the certificate's common name is not a valid FedLearn name.";
            return null;
        }
        var roles = RoleUris(certificate).ToList();
        if (roles.Count != 1 || !Roles.IsKnown(roles[0]))
        {
            reason = $"the certificate must carry exactly one '{Roles.UriPrefix}…' role URI; it carries {roles.Count}.";
            return null;
        }
        reason = null;
        return new CertificateIdentity(name, roles[0], certificate.SerialNumber, new DateTimeOffset(certificate.NotAfter.ToUniversalTime()));
    }

    private static IEnumerable<string> RoleUris(X509Certificate2 certificate)
    {
        foreach (var extension in certificate.Extensions)
        {
            if (extension is not X509SubjectAlternativeNameExtension)
            {
                continue;
            }
            // GeneralNames ::= SEQUENCE OF GeneralName; uniformResourceIdentifier is [6] IA5String.
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER).ReadSequence();
            while (reader.HasData)
            {
                var tag = reader.PeekTag();
                if (tag.TagClass == TagClass.ContextSpecific && tag.TagValue == 6)
                {
                    var uri = reader.ReadCharacterString(UniversalTagNumber.IA5String, new Asn1Tag(TagClass.ContextSpecific, 6));
                    if (uri.StartsWith(Roles.UriPrefix, StringComparison.Ordinal))
                    {
                        yield return uri[Roles.UriPrefix.Length..];
                    }
                }
                else
                {
                    reader.ReadEncodedValue();
                }
            }
        }
    }
}
