using System.Security.Cryptography;

namespace FedLearn.Ledger;

/// <summary>
/// The coordinator's ledger key (ECDSA P-256). Seals entries: fills the chain link, the entry hash and the signature
/// after checking every field, so a malformed entry is never signed.
/// </summary>
public sealed class LedgerSigner : IDisposable
{
    private readonly ECDsa _key;

    /// <summary>Takes ownership of <paramref name="key"/>, which must be a P-256 key with its private part.</summary>
    public LedgerSigner(ECDsa key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        if (parameters.Curve.Oid?.Value != LedgerKeys.P256Oid && parameters.Curve.Oid?.FriendlyName is not ("nistP256" or "ECDSA_P256"))
        {
            throw new ArgumentException("The ledger key must be on curve P-256.", nameof(key));
        }

        _key = key;
        PublicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
    }

    /// <summary>SubjectPublicKeyInfo DER, base64: what the admin API publishes and the header carries.</summary>
    public string PublicKey { get; }

    /// <summary>The key's fingerprint, <see cref="Fingerprint"/> of <see cref="PublicKey"/>.</summary>
    public string PublicKeySha256 => Fingerprint(PublicKey);

    /// <summary>
    /// Lowercase hex SHA-256 of the DER SubjectPublicKeyInfo a base64 key encodes: the fingerprint `session create` prints
    /// and round tasks carry, so a participant can anchor a session's key outside the coordinator's database. A key that is
    /// not base64 is fingerprinted as its UTF-8 text (it matches no real key).
    /// </summary>
    public static string Fingerprint(string publicKeyBase64)
    {
        ArgumentNullException.ThrowIfNull(publicKeyBase64);
        byte[] der;
        try
        {
            der = Convert.FromBase64String(publicKeyBase64);
        }
        catch (FormatException)
        {
            der = System.Text.Encoding.UTF8.GetBytes(publicKeyBase64);
        }

        return Convert.ToHexStringLower(SHA256.HashData(der));
    }

    /// <summary>A new random P-256 key (tests, tools); the coordinator uses <see cref="LoadOrCreate"/>.</summary>
    public static LedgerSigner Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>
    /// Loads the PKCS#8 PEM key at <paramref name="pemPath"/>, or creates a new P-256 key there (owner-only
    /// permissions on Unix, set before the key is written) when the file does not exist.
    /// </summary>
    public static LedgerSigner LoadOrCreate(string pemPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(pemPath);
        if (File.Exists(pemPath))
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(pemPath));
                return new LedgerSigner(key);
            }
            catch
            {
                key.Dispose();
                throw;
            }
        }

        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        try
        {
            WritePrivateKey(pemPath, created.ExportPkcs8PrivateKeyPem());
            return new LedgerSigner(created);
        }
        catch
        {
            created.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A header for a new session bound to this key; the time is normalised to whole milliseconds UTC. Pass null for the
    /// participant-level budget, δ and accountant of a session that declares only an example-level guarantee. The header
    /// names the zero-out neighbouring relation and the adversary of each declared level's figures (docs/threat-model.md).
    /// </summary>
    /// <param name="againstCoordinator">Participant level: <see cref="LedgerAdversaries.CoordinatorRecorded"/> for a
    /// secure-aggregation session (its entries must then record ε against the coordinator); null or
    /// <see cref="LedgerAdversaries.CoordinatorTrusted"/> for central noise (no guarantee against the coordinator).</param>
    /// <param name="accountingVersion">null (version 1, ε only) or <see cref="LedgerAccountingVersions.Current"/>: the
    /// entries then record the samplers' distance and the δ that pays for it. The coordinator creates current headers.</param>
    /// <param name="initialModelSha256">The initial model's weights hash (lowercase hex), anchored in the header so an auditor
    /// can check round 0 offline; null only for headers built as they were before.</param>
    /// <param name="auditCommitment">An audited session's commitment (lowercase hex; docs/audit.md), or null.</param>
    /// <exception cref="ArgumentException">A field is malformed, or neither guarantee level is declared.</exception>
    public LedgerHeader CreateHeader(
        string sessionId, DateTimeOffset createdAt, double? epsilonBudget, double? delta, string? accountant,
        ExampleLevelDeclaration? exampleLevel = null, string? againstCoordinator = null, int? accountingVersion = null,
        string? initialModelSha256 = null, string? auditCommitment = null)
    {
        var participant = epsilonBudget is not null || delta is not null || accountant is not null;
        var header = new LedgerHeader(sessionId, LedgerTime.Normalize(createdAt), epsilonBudget, delta, accountant, PublicKey, exampleLevel,
            LedgerAdversaries.ZeroOut,
            participant ? LedgerAdversaries.ReleaseConsumers : null,
            participant ? againstCoordinator ?? LedgerAdversaries.CoordinatorTrusted : againstCoordinator,
            exampleLevel is null ? null : LedgerAdversaries.ReleaseConsumersAndCoordinator,
            accountingVersion, initialModelSha256, auditCommitment);
        ThrowIfInvalid("header", LedgerValidation.Header(header));
        return header;
    }

    /// <summary>
    /// Returns <paramref name="unsealed"/> with <see cref="LedgerEntry.RecordedAt"/> normalised to whole milliseconds
    /// UTC, <see cref="LedgerEntry.PreviousHash"/> = <paramref name="previousHash"/> (see <see cref="LedgerChain"/>),
    /// and the entry hash and signature computed. Any incoming EntryHash/Signature is ignored.
    /// </summary>
    /// <exception cref="ArgumentException">A field is malformed; the message lists every problem.</exception>
    public LedgerEntry Seal(LedgerEntry unsealed, string previousHash) => Seal(null, unsealed, previousHash);

    /// <summary>As <see cref="Seal(LedgerEntry, string)"/>, and also refuses an entry whose guarantee levels are not the
    /// ones <paramref name="header"/> declares (see <see cref="LedgerEntry"/>).</summary>
    public LedgerEntry Seal(LedgerHeader? header, LedgerEntry unsealed, string previousHash)
    {
        ArgumentNullException.ThrowIfNull(unsealed);
        var entry = unsealed with
        {
            RecordedAt = LedgerTime.Normalize(unsealed.RecordedAt),
            PreviousHash = previousHash,
            EntryHash = string.Empty,
            Signature = string.Empty,
        };

        var problems = LedgerValidation.Content(entry);
        if (header is not null)
        {
            problems.AddRange(LedgerValidation.Levels(header, entry));
        }

        if (!LedgerValidation.IsLowerHex64(previousHash))
        {
            problems.Add($"previous_hash must be 64 lowercase hex digits; got \"{previousHash}\".");
        }

        ThrowIfInvalid("entry", problems);
        var bytes = LedgerCanonicalEncoding.Encode(entry);
        return entry with
        {
            EntryHash = Convert.ToHexStringLower(SHA256.HashData(bytes)),
            Signature = Convert.ToBase64String(_key.SignData(bytes, HashAlgorithmName.SHA256, LedgerKeys.SignatureFormat)),
        };
    }

    /// <summary>
    /// Why a stored ledger header's key is not this signer's, or null when it is. A header whose key differs was re-keyed
    /// through the database or written under another coordinator key: the coordinator neither extends nor vouches for it.
    /// </summary>
    public string? ForeignKeyProblem(string headerPublicKey) =>
        headerPublicKey == PublicKey
            ? null
            : $"The ledger header in the database names key sha256 {Fingerprint(headerPublicKey)}, not this coordinator's signing key " +
              $"sha256 {PublicKeySha256}: the ledger was re-keyed or created under another key. It is not extended, and its models are not exported.";

    /// <summary>
    /// True when <paramref name="entry"/> is intact and signed by this key: its stored hash is that of its canonical bytes
    /// and its signature verifies under this key. What the coordinator checks before vouching for an entry it reads back.
    /// </summary>
    public bool HasSigned(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        byte[] bytes;
        try
        {
            bytes = LedgerCanonicalEncoding.Encode(entry);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return false;
        }

        return Convert.ToHexStringLower(SHA256.HashData(bytes)) == entry.EntryHash && LedgerKeys.VerifySignature(_key, bytes, entry.Signature);
    }

    /// <summary>
    /// Signs a document that accompanies the ledger (the empirical privacy audit's report, docs/audit.md) with the ledger key,
    /// so it is bound to the same key as the entries it refers to. Base64 IEEE P1363 ECDSA P-256 / SHA-256, like entries;
    /// check it with <see cref="VerifyDocument"/>.
    /// </summary>
    public string SignDocument(byte[] document)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Convert.ToBase64String(_key.SignData(document, HashAlgorithmName.SHA256, LedgerKeys.SignatureFormat));
    }

    /// <summary>Null when <paramref name="signature"/> is <see cref="SignDocument"/>'s of <paramref name="document"/> under the base64 key; otherwise why not.</summary>
    public static string? DocumentSignatureProblem(string publicKeyBase64, byte[] document, string signature)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (!LedgerKeys.TryImportPublicKey(publicKeyBase64, out var key, out var error))
        {
            return $"the key is not a P-256 public key: {error}";
        }
        using (key)
        {
            return LedgerKeys.VerifySignature(key, document, signature) ? null : "the signature does not verify under the key";
        }
    }

    public void Dispose() => _key.Dispose();

    private static void ThrowIfInvalid(string what, List<string> problems)
    {
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Refusing to seal a malformed ledger {what}: {string.Join(" ", problems)}");
        }
    }

    private static void WritePrivateKey(string pemPath, string pem)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(pemPath));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            // Set at creation so the key is never readable by others, not even briefly.
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(pemPath, options);
        writer.Write(pem);
    }
}
