using K = FedLearn.Ledger.LedgerDiscrepancyKinds;

namespace FedLearn.Ledger.Tests;

public sealed class LedgerVerifierTests
{
    [Fact]
    public void Verify_ValidFiveEntryLedger_IsCleanWithSummary()
    {
        var (document, signer) = TestLedger.Build(5);

        // The public entry point, unmemoised: the real accountants end to end.
        var report = LedgerVerifier.Verify(document, signer.PublicKey);

        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Equal(5, report.EntryCount);
        Assert.Equal("pld", report.EnforcedAccountant);
        Assert.Equal(document.Entries[^1].EpsilonPld, report.RecordedFinalEpsilonPld);
        Assert.Equal(document.Entries[^1].EpsilonRdp!.Value, report.RecomputedFinalEpsilonRdp!.Value, 1e-9);
        Assert.Equal(document.Entries[^1].EpsilonPld!.Value, report.RecomputedFinalEpsilonPld!.Value, 1e-9);
        Assert.Equal(5, report.PldPrefixesRecomputed);
    }

    [Fact]
    public void Verify_EditedField_NamesHashMismatchAndSignature()
    {
        var (document, signer) = TestLedger.Build(5);
        var tampered = document.Replace(2, document.Entries[2] with { ParticipantsAggregated = 12 });

        var report = Verify(tampered, signer.PublicKey);

        AssertKinds(report, (K.HashMismatch, 3), (K.SignatureInvalid, 3));
    }

    [Fact]
    public void Verify_EditedAndRehashedWithoutKey_NamesSignatureAndNextLink()
    {
        var (document, signer) = TestLedger.Build(5);
        var tampered = document.Replace(2, (document.Entries[2] with { ClipNorm = 5.0 }).Rehashed());

        var report = Verify(tampered, signer.PublicKey);

        AssertKinds(report, (K.SignatureInvalid, 3), (K.BrokenLink, 4));
    }

    [Fact]
    public void Verify_MiddleRowDeleted_NamesGapLinkAndOrphanCheckpoint()
    {
        var (document, signer) = TestLedger.Build(5);
        var tampered = document.WithEntries(document.Entries.Where(e => e.Sequence != 3));

        var report = Verify(tampered, signer.PublicKey);

        // Entries 4 and 5 now sit at positions 3 and 4, and their ε is that of one round more than they are composed of.
        Assert.Contains(report.Discrepancies, d => d.Kind == K.CheckpointWithoutEntry && d.Round == document.Entries[2].Round);
        AssertKinds(report,
            (K.SequenceMismatch, 4), (K.SequenceMismatch, 5), (K.BrokenLink, 4), (K.CheckpointWithoutEntry, null),
            (K.EpsilonOverReported, 4), (K.EpsilonOverReported, 5));
    }

    [Fact]
    public void Verify_LastRowDeleted_NamesCheckpointWithoutEntryOnly()
    {
        var (document, signer) = TestLedger.Build(5);
        var tampered = document.WithEntries(document.Entries.Take(4));

        var report = Verify(tampered, signer.PublicKey);

        AssertKinds(report, (K.CheckpointWithoutEntry, null));
        Assert.Equal(document.Entries[4].Round, report.Discrepancies.Single().Round);
    }

    [Fact]
    public void Verify_TwoRowsSwapped_NamesSequenceLinksAndRounds()
    {
        var (document, signer) = TestLedger.Build(5);
        var entries = document.Entries.ToList();
        (entries[1], entries[2]) = (entries[2], entries[1]);

        var report = Verify(document.WithEntries(entries), signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == K.SequenceMismatch && d.Sequence == 3);
        Assert.Contains(report.Discrepancies, d => d.Kind == K.SequenceMismatch && d.Sequence == 2);
        Assert.Contains(report.Discrepancies, d => d.Kind == K.RoundNotIncreasing && d.Sequence == 2);
        Assert.Equal(3, report.OfKind(K.BrokenLink).Count());
        Assert.Empty(report.OfKind(K.HashMismatch));
        Assert.Empty(report.OfKind(K.SignatureInvalid));
    }

    [Fact]
    public void Verify_RowForgedWithAnotherKey_NamesSignatureInvalid()
    {
        var (document, signer) = TestLedger.Build(5);
        using var attacker = LedgerSigner.Create();
        var last = document.Entries[4];
        var forged = attacker.Seal(last with { EpsilonRdp = last.EpsilonRdp * 1.5 }, last.PreviousHash);

        var report = Verify(document.Replace(4, forged), signer.PublicKey);

        AssertKinds(report, (K.SignatureInvalid, 5), (K.EpsilonOverReported, 5));
    }

    [Fact]
    public void Verify_HeaderKeySwappedAndChainResigned_NamesKeyMismatchAndEverySignature()
    {
        var (document, signer) = TestLedger.Build(3);
        using var attacker = LedgerSigner.Create();
        var header = document.Header with { PublicKey = attacker.PublicKey };
        var entries = new List<LedgerEntry>();
        foreach (var entry in document.Entries)
        {
            entries.Add(attacker.Seal(entry, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var forged = new LedgerDocument(header, entries, document.Checkpoints);

        Assert.True(Verify(forged).IsValid, "Without the published key a consistent re-signing is undetectable.");
        AssertKinds(Verify(forged, signer.PublicKey),
            (K.PublicKeyMismatch, null), (K.SignatureInvalid, 1), (K.SignatureInvalid, 2), (K.SignatureInvalid, 3));
    }

    [Fact]
    public void Verify_HeaderKeySwappedOnly_NamesFirstLinkAndSignatures()
    {
        var (document, _) = TestLedger.Build(3);
        using var attacker = LedgerSigner.Create();
        var tampered = document with { Header = document.Header with { PublicKey = attacker.PublicKey } };

        var report = Verify(tampered);

        AssertKinds(report, (K.BrokenLink, 1), (K.SignatureInvalid, 1), (K.SignatureInvalid, 2), (K.SignatureInvalid, 3));
    }

    [Fact]
    public void Verify_UnderReportedEpsilonSignedByCoordinator_NamesUnderReporting()
    {
        var (document, signer) = TestLedger.Build(5);
        var entries = document.Entries.Take(3).ToList();
        var honest = document.Entries[3];
        entries.Add(signer.Seal(honest with { EpsilonPld = honest.EpsilonPld * 0.9 }, entries[^1].EntryHash));

        var report = Verify(
            document with { Entries = entries, Checkpoints = document.Checkpoints.Take(4).ToList() }, signer.PublicKey);

        AssertKinds(report, (K.EpsilonUnderReported, 4));
        Assert.Contains("PLD", report.Discrepancies.Single().Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_CheckpointShaDiffers_NamesShaMismatch()
    {
        var (document, signer) = TestLedger.Build(5);
        var checkpoints = document.Checkpoints.ToList();
        checkpoints[1] = checkpoints[1] with { Sha256 = TestLedger.ModelSha(999) };

        var report = Verify(document with { Checkpoints = checkpoints }, signer.PublicKey);

        AssertKinds(report, (K.CheckpointShaMismatch, 2));
    }

    [Fact]
    public void Verify_BudgetExceededUnderEnforcedAccountant_NamesFirstOffendingRound()
    {
        var (document, signer) = TestLedger.Build(5, epsilonBudget: 20);
        var budget = (document.Entries[2].EpsilonPld + document.Entries[3].EpsilonPld) / 2;
        var header = document.Header with { EpsilonBudget = budget };
        var entries = new List<LedgerEntry>();
        foreach (var entry in document.Entries)
        {
            entries.Add(signer.Seal(entry, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var report = Verify(new LedgerDocument(header, entries, document.Checkpoints), signer.PublicKey);

        AssertKinds(report, (K.BudgetExceeded, 4));
    }

    [Fact]
    public void Verify_EntryFromAnotherSessionWithOtherDelta_NamesSessionAndDelta()
    {
        var (document, signer) = TestLedger.Build(2);
        var second = document.Entries[1];
        var resealed = signer.Seal(second with { SessionId = "other", Delta = 1e-6, EpsilonRdp = 100, EpsilonPld = 100 }, second.PreviousHash);

        var report = Verify(document.Replace(1, resealed), signer.PublicKey);

        Assert.Contains(report.Discrepancies, d => d.Kind == K.SessionMismatch && d.Sequence == 2);
        Assert.Contains(report.Discrepancies, d => d.Kind == K.DeltaMismatch && d.Sequence == 2);
    }

    [Fact]
    public void Verify_MalformedFields_NamesEachProblem()
    {
        var (document, signer) = TestLedger.Build(2);
        var bad = document.Entries[1] with { SamplingRate = 1.5, ModelSha256 = "XYZ" };

        var report = Verify(document.Replace(1, bad), signer.PublicKey);

        var malformed = report.OfKind(K.EntryMalformed).Select(d => d.Message).ToList();
        Assert.Contains(malformed, m => m.StartsWith("sampling_rate", StringComparison.Ordinal));
        Assert.Contains(malformed, m => m.StartsWith("model_sha256", StringComparison.Ordinal));
        Assert.Single(report.OfKind(K.EpsilonNotRecomputable));
    }

    /// <summary>The verifier with memoised accountants (same numbers, computed once per prefix for the whole run).</summary>
    internal static LedgerVerificationReport Verify(LedgerDocument document, string? expectedPublicKey = null) =>
        LedgerVerifier.Verify(document, expectedPublicKey, LedgerVerifier.DefaultTolerance, MemoizingAccountant.Shared);

    internal static void AssertKinds(LedgerVerificationReport report, params (string Kind, long? Sequence)[] expected)
    {
        // Distinct: a mis-accounted entry is named once per accountant.
        var actual = report.Discrepancies.Select(d => (d.Kind, d.Sequence)).Distinct().OrderBy(x => x.Kind).ThenBy(x => x.Sequence).ToList();
        var wanted = expected.OrderBy(x => x.Kind).ThenBy(x => x.Sequence).ToList();
        Assert.True(wanted.SequenceEqual(actual), "Discrepancies were:\n" + string.Join("\n", report.Discrepancies));
    }
}
