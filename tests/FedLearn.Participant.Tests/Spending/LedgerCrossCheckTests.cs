using System.Security.Cryptography;
using FedLearn.Ledger;
using FedLearn.Participant.Commands;
using FedLearn.Participant.Spending;

namespace FedLearn.Participant.Tests.Spending;

public sealed class LedgerCrossCheckTests
{
    private const string Session = "session-1";
    private static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private static readonly ExampleLevelDeclaration Example = new(4, 1e-5, "rdp", 1.0, 0, 64);

    [Fact]
    public void Problems_RecordsMatchingBothLevels_None()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 2);

        Assert.Empty(LedgerCrossCheck.Problems(ledger, [Record(1), Record(2)]));
    }

    [Fact]
    public void Problems_LedgerRecordsAnotherClipNormThanTheTaskAskedFor_Named()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 2, clipNorm: 0.5);

        var problems = LedgerCrossCheck.Problems(ledger, [Record(1), Record(2)]);

        Assert.Equal(2, problems.Count);
        Assert.All(problems, p => Assert.Contains("clip norm is 1 in the round task; the ledger says 0.5", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_LedgerClaimsAnExampleLevelTheTasksNeverAskedFor_Named()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 1);

        var problem = Assert.Single(LedgerCrossCheck.Problems(ledger, [Record(1) with { Example = null }]));

        Assert.Contains("the ledger declares an example-level guarantee, but the round task did not ask for DP-SGD", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_ExampleOnlyLedgerButTaskAskedForParticipantLevelPrivacy_Named()
    {
        var ledger = Ledger(participantLevel: false, Example, rounds: 1);

        var problem = Assert.Single(LedgerCrossCheck.Problems(ledger, [Record(1)]));

        Assert.Contains("the ledger declares none", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_DeclaredExampleBudgetLargerThanTheTasks_NamedForEveryRound()
    {
        var ledger = Ledger(participantLevel: true, Example with { EpsilonBudget = 8 }, rounds: 2);

        var problems = LedgerCrossCheck.Problems(ledger, [Record(1), Record(2), Record(3)]);

        // Round 3 has no entry (its attempt was not committed), but the header's declaration still applies to it.
        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Contains("example-level epsilon budget is 4 in the round task; the ledger says 8", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_OtherSessionsInTheLog_Ignored()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 1);

        Assert.Empty(LedgerCrossCheck.Problems(ledger, [Record(1), Record(1) with { SessionId = "other", ClipNorm = 9 }]));
    }

    [Fact]
    public void Check_TamperedLedger_NotCleanAndNamesTheVerifierDiscrepancy()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 2);
        var tampered = ledger with { Entries = [ledger.Entries[0] with { ParticipantsAggregated = 1 }, ledger.Entries[1]] };

        var (text, clean) = CheckLedgerCommand.Check(tampered, [Record(1), Record(2)], ledger.Header.PublicKey);

        Assert.False(clean);
        Assert.Contains("[hash_mismatch]", text, StringComparison.Ordinal);
        Assert.Contains("every round task's parameters and key match the ledger", text, StringComparison.Ordinal);
        Assert.True(CheckLedgerCommand.Check(ledger, [Record(1), Record(2)], ledger.Header.PublicKey).Clean);
    }

    [Fact]
    public void Problems_RoundTasksNamedTheExportsKey_NoneAndAttemptsWithoutAKeyAreNotCompared()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 2);
        var key = LedgerSigner.Fingerprint(ledger.Header.PublicKey);

        Assert.Empty(LedgerCrossCheck.Problems(ledger, [Record(1) with { LedgerKeySha256 = key.ToUpperInvariant() }, Record(2)]));
    }

    [Fact]
    public void Check_LedgerResignedWithAnotherKey_VerifiesAloneButTheSpendLogNamesTheKeyItTrainedUnder()
    {
        // Whoever can write the database re-signs the whole chain with a key of their own: the export verifies under the
        // key it carries, but the round tasks named the session's real key, and the spend log kept it.
        var original = Ledger(participantLevel: true, Example, rounds: 2);
        var trainedUnder = LedgerSigner.Fingerprint(original.Header.PublicKey);
        var resigned = Ledger(participantLevel: true, Example, rounds: 2);
        SpendRecord[] records = [Record(1) with { LedgerKeySha256 = trainedUnder }, Record(2) with { LedgerKeySha256 = trainedUnder }];

        var (text, clean) = CheckLedgerCommand.Check(resigned, records, publicKey: null);

        Assert.False(clean);
        Assert.Contains("verifies", text, StringComparison.Ordinal);
        Assert.Contains($"2 attempts (rounds 1–2): the round task named ledger key sha256 {trainedUnder}; the export's header carries key sha256 "
                        + LedgerSigner.Fingerprint(resigned.Header.PublicKey), text, StringComparison.Ordinal);
        Assert.True(CheckLedgerCommand.Check(original, records, original.Header.PublicKey).Clean);
    }

    [Fact]
    public void Check_PinnedKeyIsNotTheOneTheTasksNamed_NotClean()
    {
        var ledger = Ledger(participantLevel: true, Example, rounds: 1);
        using var other = LedgerSigner.Create();
        var record = Record(1) with { LedgerKeySha256 = LedgerSigner.Fingerprint(other.PublicKey) };

        var (text, clean) = CheckLedgerCommand.Check(ledger, [record], ledger.Header.PublicKey);

        Assert.False(clean);
        Assert.Contains($"p1 round 1 attempt 1: the round task named ledger key sha256 {LedgerSigner.Fingerprint(other.PublicKey)}; --public-key is key sha256", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_OwnEpsilonAgainstTheCoordinatorWithinTheLedgersWorstCase_None()
    {
        var ledger = SecureLedger(rounds: 3, ledgerSigma: 1.1);
        // This participant contributed to rounds 1 and 3 only: its own figure composes two attempts, the ledger's three.
        var records = new[] { SecureRecord(1, attemptsSoFar: 1), SecureRecord(3, attemptsSoFar: 2) };

        Assert.Empty(LedgerCrossCheck.Problems(ledger, records));
    }

    [Fact]
    public void Problems_LedgerCreditsMoreNoiseThanTheRoundGuaranteed_OwnEpsilonAboveTheWorstCaseNamed()
    {
        // The coordinator records σ = 2 where the round's public parameters guarantee 1.1 against it: its worst case is then
        // below what this participant, in every round, really spent.
        var ledger = SecureLedger(rounds: 2, ledgerSigma: 2.0);
        var records = new[] { SecureRecord(1, attemptsSoFar: 1), SecureRecord(2, attemptsSoFar: 2) };

        var problems = LedgerCrossCheck.Problems(ledger, records);

        Assert.Equal(2, problems.Count(p => p.Contains("own epsilon against the coordinator (rdp) is", StringComparison.Ordinal)
            && p.Contains("above the ledger's worst case", StringComparison.Ordinal)));
        Assert.Equal(2, problems.Count(p => p.Contains("the ledger charges noise multiplier 2, above the 1.1", StringComparison.Ordinal)));
    }

    [Fact]
    public void Problems_OwnEpsilonAgainstTheCoordinatorNotANumber_Named()
    {
        var ledger = SecureLedger(rounds: 1, ledgerSigma: 1.1);

        var problem = Assert.Single(LedgerCrossCheck.Problems(ledger, [SecureRecord(1, 1) with { EpsilonAgainstCoordinator = double.NaN }]));

        Assert.Contains("above the ledger's worst case", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_CalibratedForOtherAttemptsThanTheLedgerDeclares_Named()
    {
        var ledger = Ledger(participantLevel: false, Example with { CalibrationAttempts = 38 }, rounds: 2, accountingVersion: 2);
        static SpendRecord Calibrated(int round, int attempts) => Record(round) with
        {
            Mechanism = SpendRecord.NoMechanism, SamplingRate = null, NoiseMultiplier = null, ClipNorm = null, Delta = null, EpsilonBudget = null,
            Epsilon = null, Accountant = null, Example = Record(round).Example! with { CalibrationAttempts = attempts },
        };

        Assert.Empty(LedgerCrossCheck.Problems(ledger, [Calibrated(1, 38)]));
        var problem = Assert.Single(LedgerCrossCheck.Problems(ledger, [Calibrated(2, 30)]));
        Assert.Contains("calibrated DP-SGD's sigma for 30 attempts (planned rounds plus reruns); the ledger declares 38", problem, StringComparison.Ordinal);
    }

    private static double Unamplified(int steps, double sigma) =>
        Privacy.UnamplifiedGaussianComposition.Epsilon(Privacy.Accountants.Create(Privacy.AccountantKind.Rdp), Enumerable.Repeat(sigma, steps).ToList(), 1e-5);

    /// <summary>A spend record of a secure-aggregation round task (σ 1.1 against the coordinator) after this participant's n-th attempt.</summary>
    private static SpendRecord SecureRecord(int round, int attemptsSoFar) => Record(round) with
    {
        Mechanism = LedgerMechanisms.DistributedDiscreteGaussian, Example = null, CoordinatorNoiseMultiplier = 1.1,
        EpsilonAgainstCoordinator = Unamplified(attemptsSoFar, 1.1),
    };

    /// <summary>A real signed secure-aggregation ledger whose entries charge <paramref name="ledgerSigma"/>, ε recomputable.</summary>
    private static LedgerDocument SecureLedger(int rounds, double ledgerSigma)
    {
        using var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(Session, Start, 20, 1e-5, "rdp", againstCoordinator: LedgerAdversaries.CoordinatorRecorded);
        var rdp = Privacy.Accountants.Create(Privacy.AccountantKind.Rdp);
        var pld = Privacy.Accountants.Create(Privacy.AccountantKind.Pld);
        var entries = new List<LedgerEntry>();
        for (var round = 1; round <= rounds; round++)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"round {round}")));
            var steps = new[] { new Privacy.SubsampledGaussianStep(0.5, ledgerSigma, round) };
            var sigmas = Enumerable.Repeat(ledgerSigma, round).ToList();
            var entry = new LedgerEntry(round, Session, round, Start.AddMinutes(round), LedgerMechanisms.DistributedDiscreteGaussian, 0.5, ledgerSigma,
                1.0, 1.0, 10, 9, 1e-5, rdp.GetEpsilon(steps, 1e-5), pld.GetEpsilon(steps, 1e-5), sha, "", "", "",
                EpsilonAgainstCoordinatorRdp: Privacy.UnamplifiedGaussianComposition.Epsilon(rdp, sigmas, 1e-5),
                EpsilonAgainstCoordinatorPld: Privacy.UnamplifiedGaussianComposition.Epsilon(pld, sigmas, 1e-5));
            entries.Add(signer.Seal(header, entry, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }
        return new LedgerDocument(header, entries, [.. entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256))]);
    }

    /// <summary>A spend record as the daemon writes it for a round task with central noise q 0.5, σ 1.1, C 1 and DP-SGD.</summary>
    private static SpendRecord Record(int round) => new(
        Start.AddMinutes(round), "p1", Session, round, 1, LedgerMechanisms.CentralGaussian, 0.5, 1.1, 1.0, 1e-5, 20, 1.0 * round, "rdp", 0,
        new ExampleSpend(0.1, 1.3, 1.0, 10, 10 * round, 1e-5, 4, 0.5 * round, "rdp"));

    /// <summary>A real signed ledger whose entries record ε as the verifier recomputes it.</summary>
    private static LedgerDocument Ledger(
        bool participantLevel, ExampleLevelDeclaration? example, int rounds, double clipNorm = 1.0, int? accountingVersion = null)
    {
        using var signer = LedgerSigner.Create();
        var header = participantLevel
            ? signer.CreateHeader(Session, Start, 20, 1e-5, "rdp", example, accountingVersion: accountingVersion)
            : signer.CreateHeader(Session, Start, null, null, null, example, accountingVersion: accountingVersion);
        var rdp = Privacy.Accountants.Create(Privacy.AccountantKind.Rdp);
        var pld = Privacy.Accountants.Create(Privacy.AccountantKind.Pld);
        var entries = new List<LedgerEntry>();
        for (var round = 1; round <= rounds; round++)
        {
            var sha = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"round {round}")));
            var steps = new[] { new Privacy.SubsampledGaussianStep(0.5, 1.1, round) };
            var entry = participantLevel
                ? new LedgerEntry(0, Session, round, Start.AddMinutes(round), LedgerMechanisms.CentralGaussian, 0.5, 1.1, clipNorm, clipNorm,
                    10, 9, 1e-5, rdp.GetEpsilon(steps, 1e-5), pld.GetEpsilon(steps, 1e-5), sha, "", "", "")
                : new LedgerEntry(0, Session, round, Start.AddMinutes(round), LedgerMechanisms.None, null, null, null, null,
                    10, 9, null, null, null, sha, "", "", "");
            entry = entry with { Sequence = round, ExampleEpsilonMax = example is null ? null : 0.5 * round };
            entries.Add(signer.Seal(header, entry, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }
        return new LedgerDocument(header, entries, [.. entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256))]);
    }
}
