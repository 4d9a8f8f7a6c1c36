using System.Text;
using K = FedLearn.Ledger.LedgerDiscrepancyKinds;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// The header anchors the initial model's hash and an audited session's commitment (docs/ledger.md, "Header and entries"),
/// so both are checkable offline; headers without them encode and verify as they were sealed.
/// </summary>
public sealed class LedgerHeaderAnchorsTests
{
    private const string InitialSha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private const string Commitment = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";

    // Pins where the two members go in the canonical order: after example_epsilon_against, before public_key.
    private const string GoldenAnchoredHeader =
        "{\"type\":\"fedlearn-ledger/1/header\",\"session_id\":\"s-1\",\"created_at\":\"2026-03-01T00:00:00.000Z\"," +
        "\"neighbouring_relation\":\"zero-out\",\"accounting_version\":4,\"epsilon_budget\":4,\"delta\":1E-05,\"accountant\":\"pld\"," +
        "\"epsilon_against\":\"release_consumers\",\"against_coordinator\":\"trusted\"," +
        "\"initial_model_sha256\":\"" + InitialSha + "\",\"audit_commitment\":\"" + Commitment + "\",\"public_key\":\"AAAA\"}";

    private static readonly DateTimeOffset Midnight = new(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Encode_HeaderWithAnchors_MatchesGoldenBytes()
    {
        using var signer = LedgerSigner.Create();
        var header = signer.CreateHeader("s-1", Midnight, 4, 1e-5, "pld", accountingVersion: LedgerAccountingVersions.ReleaseConsumersUnamplified,
            initialModelSha256: InitialSha, auditCommitment: Commitment) with { PublicKey = "AAAA" };

        Assert.Equal(GoldenAnchoredHeader, Encoding.UTF8.GetString(LedgerCanonicalEncoding.Encode(header)));
    }

    [Fact]
    public void Verify_AnchoredLedger_IsValid_AndTheAnchorsSurviveTheJsonExport()
    {
        var (document, signer) = Build(emptyFirstStep: false);

        var read = LedgerJson.Deserialize(LedgerJson.Serialize(document));

        Assert.Equal(InitialSha, read.Header.InitialModelSha256);
        Assert.Equal(Commitment, read.Header.AuditCommitment);
        Assert.Contains("\"initial_model_sha256\": \"" + InitialSha + "\"", LedgerJson.Serialize(document), StringComparison.Ordinal);
        var report = LedgerVerifier.Verify(read, signer.PublicKey);
        Assert.True(report.IsValid, string.Join("; ", report.Discrepancies.Select(d => d.Message)));
    }

    [Fact]
    public void Verify_RemovedOrSwappedAnchor_BreaksTheChain()
    {
        var (document, signer) = Build(emptyFirstStep: false);

        var stripped = LedgerVerifier.Verify(document with { Header = document.Header with { AuditCommitment = null } }, signer.PublicKey);
        var swapped = LedgerVerifier.Verify(document with { Header = document.Header with { InitialModelSha256 = TestLedger.ModelSha(1) } }, signer.PublicKey);

        Assert.Contains(stripped.Discrepancies, d => d.Kind == K.BrokenLink && d.Sequence == 1);
        Assert.Contains(swapped.Discrepancies, d => d.Kind == K.BrokenLink && d.Sequence == 1);
    }

    [Fact]
    public void Verify_EmptyFirstStepNamingAnotherModelThanTheInitialOne_IsNamed()
    {
        var (honest, signer) = Build(emptyFirstStep: true);
        var (lying, liar) = Build(emptyFirstStep: true, firstModel: TestLedger.ModelSha(99));

        Assert.True(LedgerVerifier.Verify(honest, signer.PublicKey).IsValid);
        Assert.Contains(LedgerVerifier.Verify(lying, liar.PublicKey).Discrepancies, d => d.Kind == K.EmptyStepModelChanged && d.Sequence == 1);
    }

    [Theory]
    [InlineData("initial", "0123")]
    [InlineData("initial", "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("commitment", "not hex")]
    public void CreateHeader_MalformedAnchor_IsRefused(string which, string value)
    {
        using var signer = LedgerSigner.Create();

        var error = Assert.Throws<ArgumentException>(() => signer.CreateHeader("s-1", Midnight, 4, 1e-5, "pld",
            initialModelSha256: which == "initial" ? value : null, auditCommitment: which == "commitment" ? value : null));

        Assert.Contains(which == "initial" ? "initial_model_sha256" : "audit_commitment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateHeader_CommitmentWithoutTheParticipantLevel_IsRefused()
    {
        using var signer = LedgerSigner.Create();

        var error = Assert.Throws<ArgumentException>(() =>
            signer.CreateHeader("s-1", Midnight, null, null, null, TestLedger.ExampleLevel, auditCommitment: Commitment));

        Assert.Contains("audit_commitment needs a participant-level guarantee", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A two-entry central ledger whose header anchors both; the first step may be empty (then it names the initial model).</summary>
    internal static (LedgerDocument Document, LedgerSigner Signer) Build(bool emptyFirstStep, string firstModel = InitialSha)
    {
        var (plain, _) = TestLedger.Build(2);
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(TestLedger.SessionId, TestLedger.Start, 20, TestLedger.Delta, "pld",
            initialModelSha256: InitialSha, auditCommitment: Commitment);
        var entries = new List<LedgerEntry>();
        foreach (var entry in plain.Entries)
        {
            var unsealed = entries.Count == 0 && emptyFirstStep ? entry with { ParticipantsAggregated = 0, ModelSha256 = firstModel } : entry;
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }
        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }
}
