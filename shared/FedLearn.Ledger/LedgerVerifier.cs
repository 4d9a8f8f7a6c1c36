using System.Security.Cryptography;

namespace FedLearn.Ledger;

/// <summary>
/// Checks a ledger export without trusting the coordinator: chain, hashes, signatures, checkpoints, and ε recomputed
/// from the raw parameters with both accountants. Names every discrepancy instead of stopping at the first.
/// </summary>
public static class LedgerVerifier
{
    public const double DefaultTolerance = 1e-6;

    /// <param name="document">The ledger as exported.</param>
    /// <param name="expectedPublicKey">The coordinator key as published by the admin API (base64 SPKI). Without it only
    /// the key in the header is available, which proves integrity but not who signed.</param>
    /// <param name="tolerance">Relative tolerance for comparing recorded with recomputed ε.</param>
    public static LedgerVerificationReport Verify(LedgerDocument document, string? expectedPublicKey = null, double tolerance = DefaultTolerance) =>
        Verify(document, expectedPublicKey, tolerance, LedgerAccountants.Default());

    internal static LedgerVerificationReport Verify(
        LedgerDocument document, string? expectedPublicKey, double tolerance, LedgerAccountants accountants)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(document.Header);
        ArgumentNullException.ThrowIfNull(document.Entries);
        ArgumentNullException.ThrowIfNull(document.Checkpoints);
        if (!(tolerance >= 0) || !double.IsFinite(tolerance))
        {
            throw new ArgumentOutOfRangeException(nameof(tolerance), tolerance, "The tolerance must be a finite number >= 0.");
        }

        var header = document.Header;
        var entries = document.Entries;
        var discrepancies = new List<LedgerDiscrepancy>();
        foreach (var problem in LedgerValidation.Header(header))
        {
            discrepancies.Add(new(LedgerDiscrepancyKinds.HeaderMalformed, null, null, problem));
        }

        using var key = SigningKey(header, expectedPublicKey, discrepancies);
        CheckEntries(header, entries, key, discrepancies);
        CheckCheckpoints(entries, document.Checkpoints, discrepancies);

        // The participant-level ε is recomputed only for a ledger that declares that level (entries of an example-only
        // ledger carry no participant-level parameters; a stray mechanism there is already a level mismatch).
        // From accounting version 4 without amplification by sampling (the cohort sizes are published; docs/threat-model.md).
        var audit = new EpsilonAudit(header.HasParticipantLevel ? entries : [], tolerance, accountants, discrepancies,
            EpsilonFigure.ReleaseConsumersFor(header));
        audit.Run();
        if (header.HasParticipantLevel)
        {
            CheckBudget(header, entries, audit, tolerance, discrepancies);
        }

        // Against the coordinator (secure aggregation): the same steps without amplification by sampling.
        var coordinator = new EpsilonAudit(
            header.HasParticipantLevel && header.RecordsEpsilonAgainstCoordinator ? entries : [], tolerance, accountants, discrepancies,
            EpsilonFigure.AgainstCoordinator);
        coordinator.Run();

        // Version 2: the δ each figure truly holds at, with the samplers' distance from the exact discrete Gaussian paid.
        var deltaTotal = new DeltaTotalAudit(header, entries, tolerance, discrepancies);
        deltaTotal.Run(audit, coordinator);

        // Version 3: each entry's sensitivity, σ and η re-derived from the noise inputs it records.
        new NoiseDerivationAudit(header, entries, tolerance, discrepancies).Run();
        new AdaptiveClippingAudit(header, entries, tolerance, discrepancies).Run();

        if (header.ExampleLevel is { } example)
        {
            CheckExampleBudget(example, entries, discrepancies);
        }

        var last = entries.Count > 0 ? entries[^1] : null;
        return new LedgerVerificationReport(
            discrepancies,
            header.SessionId,
            entries.Count,
            header.Accountant,
            header.EpsilonBudget,
            header.Delta,
            last?.EpsilonRdp,
            last?.EpsilonPld,
            audit.RecomputedFinalRdp,
            audit.RecomputedFinalPld,
            audit.PldRecomputed,
            audit.PldBracketed,
            header.ExampleLevel,
            entries.Max(e => e.ExampleEpsilonMax),
            header.NeighbouringRelation,
            header.AgainstCoordinator,
            last?.EpsilonAgainstCoordinatorRdp,
            last?.EpsilonAgainstCoordinatorPld,
            coordinator.RecomputedFinalRdp,
            coordinator.RecomputedFinalPld,
            header.AccountingVersion ?? LedgerAccountingVersions.EpsilonOnly,
            last?.DeltaTotal,
            deltaTotal.RecomputedFinal,
            last?.DeltaTotalAgainstCoordinator,
            deltaTotal.RecomputedFinalAgainstCoordinator);
    }

    /// <summary>The key signatures are checked with: the expected one when given (the header's is then only compared).</summary>
    private static ECDsa? SigningKey(LedgerHeader header, string? expectedPublicKey, List<LedgerDiscrepancy> discrepancies)
    {
        if (expectedPublicKey is null)
        {
            return LedgerKeys.TryImportPublicKey(header.PublicKey, out var headerKey, out _) ? headerKey : null;
        }

        if (!LedgerKeys.TryImportPublicKey(expectedPublicKey, out var expected, out var error))
        {
            throw new ArgumentException($"The expected public key is not usable: {error}", nameof(expectedPublicKey));
        }

        if (!SameKey(expected, header.PublicKey))
        {
            discrepancies.Add(new(
                LedgerDiscrepancyKinds.PublicKeyMismatch, null, null,
                "The header's public key is not the expected coordinator key; signatures are checked against the expected key."));
        }

        return expected;
    }

    private static bool SameKey(ECDsa expected, string headerKey)
    {
        if (!LedgerKeys.TryImportPublicKey(headerKey, out var other, out _))
        {
            return false;
        }

        using (other)
        {
            return expected.ExportSubjectPublicKeyInfo().AsSpan().SequenceEqual(other.ExportSubjectPublicKeyInfo());
        }
    }

    private static void CheckEntries(LedgerHeader header, IReadOnlyList<LedgerEntry> entries, ECDsa? key, List<LedgerDiscrepancy> discrepancies)
    {
        var headerHash = TryHash(() => LedgerCanonicalEncoding.Encode(header));
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            var previous = i > 0 ? entries[i - 1] : null;
            void Add(string kind, string message) => discrepancies.Add(new(kind, entry.Sequence, entry.Round, message));

            foreach (var problem in LedgerValidation.Sealed(entry))
            {
                Add(LedgerDiscrepancyKinds.EntryMalformed, problem);
            }

            if (entry.Sequence != i + 1)
            {
                Add(LedgerDiscrepancyKinds.SequenceMismatch, $"Entry at position {i + 1} carries sequence {entry.Sequence}.");
            }

            if (entry.SessionId != header.SessionId)
            {
                Add(LedgerDiscrepancyKinds.SessionMismatch, $"Session \"{entry.SessionId}\" is not the header's \"{header.SessionId}\".");
            }

            foreach (var problem in LedgerValidation.Levels(header, entry))
            {
                Add(LedgerDiscrepancyKinds.LevelMismatch, problem);
            }

            if (header.HasParticipantLevel && entry.Delta is not null && !entry.Delta.Equals(header.Delta))
            {
                Add(LedgerDiscrepancyKinds.DeltaMismatch, $"Delta {entry.Delta:R} is not the header's {header.Delta:R}.");
            }

            if (previous is not null && entry.IsEmptyStep && entry.ModelSha256 != previous.ModelSha256)
            {
                Add(LedgerDiscrepancyKinds.EmptyStepModelChanged,
                    $"The entry aggregates no update but names model {entry.ModelSha256}, not the previous entry's {previous.ModelSha256}.");
            }

            // The first entry's predecessor is the initial model, when the header anchors it.
            if (previous is null && entry.IsEmptyStep && header.InitialModelSha256 is { } initial && entry.ModelSha256 != initial)
            {
                Add(LedgerDiscrepancyKinds.EmptyStepModelChanged,
                    $"The entry aggregates no update but names model {entry.ModelSha256}, not the header's initial model {initial}.");
            }

            if (previous is not null && entry.Round <= previous.Round)
            {
                Add(LedgerDiscrepancyKinds.RoundNotIncreasing, $"Round {entry.Round} follows round {previous.Round}.");
            }

            var expectedPrevious = previous is null ? headerHash.Hash : previous.EntryHash;
            if (entry.PreviousHash != expectedPrevious)
            {
                Add(LedgerDiscrepancyKinds.BrokenLink, previous is null
                    ? "previous_hash of the first entry is not the header hash."
                    : $"previous_hash is not the entry hash of the preceding row (sequence {previous.Sequence}).");
            }

            var (hash, bytes) = TryHash(() => LedgerCanonicalEncoding.Encode(entry));
            if (hash is null || hash != entry.EntryHash)
            {
                Add(LedgerDiscrepancyKinds.HashMismatch, hash is null
                    ? "The entry cannot be canonically encoded, so its hash cannot be checked."
                    : "entry_hash is not the SHA-256 of the entry's canonical encoding: the row was changed after sealing.");
            }

            if (key is null || bytes is null || !LedgerKeys.VerifySignature(key, bytes, entry.Signature))
            {
                Add(LedgerDiscrepancyKinds.SignatureInvalid, key is null
                    ? "No usable public key to check the signature with."
                    : "The signature does not verify under the coordinator key: the row was changed or forged.");
            }
        }
    }

    private static void CheckCheckpoints(IReadOnlyList<LedgerEntry> entries, IReadOnlyList<CheckpointReference> checkpoints, List<LedgerDiscrepancy> discrepancies)
    {
        foreach (var group in checkpoints.GroupBy(c => c.Round).Where(g => g.Count() > 1))
        {
            discrepancies.Add(new(
                LedgerDiscrepancyKinds.CheckpointAmbiguous, null, group.Key, $"{group.Count()} checkpoints are listed for round {group.Key}."));
        }

        var checkpointShas = checkpoints.Select(c => c.Sha256).ToHashSet(StringComparer.Ordinal);
        var checkpointRounds = checkpoints.Select(c => c.Round).ToHashSet();
        foreach (var checkpoint in checkpoints)
        {
            // Matched by round: an empty step commits the previous model again, so one hash may belong to several rounds.
            var sameRound = entries.FirstOrDefault(e => e.Round == checkpoint.Round);
            if (sameRound is not null)
            {
                if (sameRound.ModelSha256 != checkpoint.Sha256)
                {
                    discrepancies.Add(new(
                        LedgerDiscrepancyKinds.CheckpointShaMismatch, sameRound.Sequence, sameRound.Round,
                        $"The checkpoint of round {checkpoint.Round} has sha256 {checkpoint.Sha256}, the entry records {sameRound.ModelSha256}."));
                }

                continue;
            }

            var holders = entries.Where(e => e.ModelSha256 == checkpoint.Sha256).ToList();
            if (holders.Count == 0)
            {
                discrepancies.Add(new(
                    LedgerDiscrepancyKinds.CheckpointWithoutEntry, null, checkpoint.Round,
                    $"The checkpoint of round {checkpoint.Round} ({checkpoint.Sha256}) has no ledger entry: a round is missing from the ledger."));
            }
            else if (holders.Count > 1)
            {
                discrepancies.Add(new(
                    LedgerDiscrepancyKinds.CheckpointAmbiguous, null, checkpoint.Round,
                    $"{holders.Count} entries (sequences {string.Join(", ", holders.Select(h => h.Sequence))}) of other rounds record the model of checkpoint round {checkpoint.Round}, which has no entry."));
            }
            else
            {
                discrepancies.Add(new(
                    LedgerDiscrepancyKinds.CheckpointRoundMismatch, holders[0].Sequence, holders[0].Round,
                    $"The entry holds the model of the checkpoint listed for round {checkpoint.Round}."));
            }
        }

        foreach (var entry in entries)
        {
            // An entry whose round has a checkpoint with a different hash was already named as a sha mismatch.
            if (!checkpointShas.Contains(entry.ModelSha256) && !checkpointRounds.Contains(entry.Round))
            {
                discrepancies.Add(new(
                    LedgerDiscrepancyKinds.EntryWithoutCheckpoint, entry.Sequence, entry.Round,
                    $"No checkpoint has the entry's model sha256 {entry.ModelSha256}."));
            }
        }
    }

    private static void CheckBudget(
        LedgerHeader header, IReadOnlyList<LedgerEntry> entries, EpsilonAudit audit, double tolerance, List<LedgerDiscrepancy> discrepancies)
    {
        var usePld = header.Accountant == "pld";
        var budget = header.EpsilonBudget ?? double.NaN;
        for (var i = 0; i < entries.Count; i++)
        {
            var recorded = (usePld ? entries[i].EpsilonPld : entries[i].EpsilonRdp) ?? 0;
            var recomputed = (usePld ? audit.Pld[i] : audit.Rdp[i]) ?? 0;
            var spent = Math.Max(recorded, recomputed * (1 - tolerance));
            if (!(spent <= budget))
            {
                discrepancies.Add(new(
                    LedgerDiscrepancyKinds.BudgetExceeded, entries[i].Sequence, entries[i].Round,
                    $"Participant-level {header.Accountant?.ToUpperInvariant()} epsilon {spent:R} after this round exceeds the budget {budget:R}" +
                    (i < entries.Count - 1 ? $" (and {entries.Count - 1 - i} more rounds followed)." : ".")));
                return;
            }
        }
    }

    /// <summary>
    /// Participants refuse to train past the example-level budget, so no entry may record more. The figure is what the
    /// participants reported; a data owner checks its own share of it against its spend log.
    /// </summary>
    private static void CheckExampleBudget(ExampleLevelDeclaration example, IReadOnlyList<LedgerEntry> entries, List<LedgerDiscrepancy> discrepancies)
    {
        foreach (var entry in entries.Where(e => e.ExampleEpsilonMax is { } spent && !(spent <= example.EpsilonBudget)))
        {
            discrepancies.Add(new(
                LedgerDiscrepancyKinds.ExampleBudgetExceeded, entry.Sequence, entry.Round,
                $"Example-level epsilon {entry.ExampleEpsilonMax:R} reported by a participant exceeds the example-level budget {example.EpsilonBudget:R}."));
        }
    }

    private static (string? Hash, byte[]? Bytes) TryHash(Func<byte[]> encode)
    {
        try
        {
            var bytes = encode();
            return (Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return (null, null);
        }
    }
}
