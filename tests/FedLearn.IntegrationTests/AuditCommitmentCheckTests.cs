using System.Text;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;
using Google.Protobuf;

namespace FedLearn.IntegrationTests;

/// <summary>
/// `fedlearn audit verify`'s offline commitment check (docs/audit.md, "The commitment"), with no coordinator: the report's
/// seed, K, K′ and confidence must hash to the commitment the ledger header anchors (and, in format 2, to the one the report
/// states), else exit 6 naming both hashes. Reports and headers written before the anchor verify as what they are. The
/// documents are signed with a ledger key made here, so every other check passes and only the commitment is under test.
/// </summary>
public sealed class AuditCommitmentCheckTests
{
    private const double Delta = 1e-5;
    private static readonly byte[] Seed = AuditRandom.NewSeed();
    private static readonly string Committed = AuditCommitment.ComputeHex(Seed, 20, 20, 0.95);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Format2Report_WhoseCanariesHashToTheHeadersCommitment_Verifies()
    {
        var (exitCode, output) = await VerifyAsync(AuditReportDocument.FormatWithCommitment, Committed, anchored: Committed);

        Assert.True(exitCode == 0, output);
        Assert.Contains($"commitment       {Committed} anchored in the ledger header", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Format2Report_OfOtherCanariesOrOnAHeaderWithoutOrWithAnotherCommitment_Exits6()
    {
        // The report states the header's commitment but measured one canary fewer: the hash gives it away.
        var (fewer, fewerOutput) = await VerifyAsync(AuditReportDocument.FormatWithCommitment, Committed, anchored: Committed, canaries: 19);
        Assert.Equal(6, fewer);
        Assert.Contains("not to the audit_commitment the ledger header anchors", fewerOutput, StringComparison.Ordinal);
        Assert.Contains("not to the audit_commitment it states", fewerOutput, StringComparison.Ordinal);

        var other = AuditCommitment.ComputeHex(AuditRandom.NewSeed(), 20, 20, 0.95);
        var (swapped, swappedOutput) = await VerifyAsync(AuditReportDocument.FormatWithCommitment, Committed, anchored: other);
        Assert.Equal(6, swapped);
        Assert.Contains("these are not the canaries fixed before the session started", swappedOutput, StringComparison.Ordinal);

        var (unanchored, unanchoredOutput) = await VerifyAsync(AuditReportDocument.FormatWithCommitment, Committed, anchored: null);
        Assert.Equal(6, unanchored);
        Assert.Contains("anchors no audit_commitment", unanchoredOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Format1Report_VerifiesAsWhatItIs_AndIsHeldToACommitmentTheHeaderAnchors()
    {
        var (legacy, legacyOutput) = await VerifyAsync(AuditReportDocument.FormatWithoutCommitment, null, anchored: null);
        Assert.True(legacy == 0, legacyOutput);
        Assert.Contains("not checkable offline", legacyOutput, StringComparison.Ordinal);

        var (held, heldOutput) = await VerifyAsync(AuditReportDocument.FormatWithoutCommitment, null, anchored: AuditCommitment.ComputeHex(Seed, 20, 20, 0.99));
        Assert.Equal(6, held);
        Assert.Contains("not to the audit_commitment the ledger header anchors", heldOutput, StringComparison.Ordinal);
    }

    /// <summary>A one-entry central ledger (q = 1, σ = 1) whose header anchors <paramref name="anchored"/>, a report of it, both signed; `audit verify` on them.</summary>
    private static async Task<(int ExitCode, string Output)> VerifyAsync(string format, string? reportCommitment, string? anchored, int canaries = 20)
    {
        using var signer = LedgerSigner.Create();
        var header = signer.CreateHeader("s-audit", DateTimeOffset.UnixEpoch, 40, Delta, "rdp", auditCommitment: anchored);
        var steps = new[] { new SubsampledGaussianStep(1.0, 1.0, 1) };
        var (rdp, pld) = (Accountants.Create(AccountantKind.Rdp).GetEpsilon(steps, Delta), Accountants.Create(AccountantKind.Pld).GetEpsilon(steps, Delta));
        var model = new string('a', 64);
        var entry = signer.Seal(header, new LedgerEntry(1, "s-audit", 1, DateTimeOffset.UnixEpoch.AddMinutes(1), LedgerMechanisms.CentralGaussian,
            1.0, 1.0, 1.0, 1.0, 3, 3, Delta, rdp, pld, model, "", "", ""), LedgerChain.NextPreviousHash(header, null));
        var ledger = new LedgerDocument(header, [entry], [new CheckpointReference(1, model)]);

        var report = new AuditReportDocument(format, "s-audit", DateTimeOffset.UnixEpoch.AddMinutes(2),
            new AuditLedgerClaim(1, entry.EntryHash, LedgerSigner.Fingerprint(signer.PublicKey), entry.Mechanism, Delta, rdp, pld, header.AgainstCoordinator, null, null),
            Math.Min(rdp, pld), canaries, 20, 10, 1, 1, 0.95, 1000, Convert.ToHexStringLower(Seed), [], 1, [], AuditReportDocument.Pass, "yes", reportCommitment);
        var json = report.Serialize();
        var stored = new AuditReport { SessionId = "s-audit", ReportJson = json, Signature = signer.SignDocument(Encoding.UTF8.GetBytes(json)), PublicKey = signer.PublicKey };

        var directory = Directory.CreateTempSubdirectory("fedlearn-audit-commitment-").FullName;
        try
        {
            var reportFile = Path.Combine(directory, "audit.json");
            var ledgerFile = Path.Combine(directory, "ledger.json");
            await File.WriteAllTextAsync(reportFile, JsonFormatter.Default.Format(stored), Ct);
            await File.WriteAllTextAsync(ledgerFile, LedgerJson.Serialize(ledger), Ct);
            return await BuiltTool.RunCliAsync("audit", "verify", reportFile, "--ledger", ledgerFile);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
