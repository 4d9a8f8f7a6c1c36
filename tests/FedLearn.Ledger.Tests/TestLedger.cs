using System.Security.Cryptography;
using System.Text;
using FedLearn.Privacy;
using FedLearn.Privacy.Noise;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Ledger.Tests;

/// <summary>Builds real, correctly accounted ledgers: q = 0.5, σ = 1.1, δ = 1e-5, one checkpoint per round.</summary>
internal static class TestLedger
{
    public const double SamplingRate = 0.5;
    public const double NoiseMultiplier = 1.1;
    public const double Delta = 1e-5;
    public const string SessionId = "session-7";

    public static readonly DateTimeOffset Start = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    /// <param name="legacyHeader">A header as written before it named the neighbouring relation and adversaries.</param>
    public static (LedgerDocument Document, LedgerSigner Signer) Build(int count, double epsilonBudget = 20, bool legacyHeader = false)
    {
        var signer = LedgerSigner.Create();
        var header = legacyHeader
            ? new LedgerHeader(SessionId, Start, epsilonBudget, Delta, "pld", signer.PublicKey)
            : signer.CreateHeader(SessionId, Start, epsilonBudget, Delta, "pld");
        var epsilons = EpsilonsFor(count);
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < count; i++)
        {
            var round = 10 + 2 * i;
            var unsealed = Unsealed(i + 1, round, ModelSha(round), epsilons[i].Rdp, epsilons[i].Pld);
            entries.Add(signer.Seal(unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }

    /// <summary>
    /// A secure-aggregation ledger (mechanism distributed_discrete_gaussian, against_coordinator "recorded") whose entries
    /// record the worst-case ε against the coordinator; the rounds listed in <paramref name="emptyRounds"/> (0-based entry
    /// indexes) are empty charged steps: nothing aggregated, the previous model again, one checkpoint per round.
    /// </summary>
    public static (LedgerDocument Document, LedgerSigner Signer) BuildSecureAggregation(int count, params int[] emptyRounds)
    {
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(SessionId, Start, 50, Delta, "rdp", againstCoordinator: LedgerAdversaries.CoordinatorRecorded);
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < count; i++)
        {
            var round = 10 + 2 * i;
            var empty = emptyRounds.Contains(i);
            var steps = new[] { new SubsampledGaussianStep(SamplingRate, NoiseMultiplier, i + 1) };
            var coordinator = new[] { new SubsampledGaussianStep(1.0, NoiseMultiplier, i + 1) };
            var unsealed = Unsealed(i + 1, round, empty ? entries[^1].ModelSha256 : ModelSha(round),
                MemoizingAccountant.Shared.Rdp.GetEpsilon(steps, Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(steps, Delta)) with
            {
                Mechanism = LedgerMechanisms.DistributedDiscreteGaussian,
                ParticipantsAggregated = empty ? 0 : 48,
                EpsilonAgainstCoordinatorRdp = MemoizingAccountant.Shared.Rdp.GetEpsilon(coordinator, Delta),
                EpsilonAgainstCoordinatorPld = MemoizingAccountant.Shared.Pld.GetEpsilon(coordinator, Delta),
            };
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }

    /// <summary>
    /// A ledger of accounting version 2: every entry records <paramref name="samplerDistance"/> as its noise's total
    /// variation distance and the δ that pays for it, δ + (1 + e^ε)·Σ η at the larger of its ε figures (both figures, with
    /// <paramref name="secure"/>, also against the coordinator).
    /// </summary>
    public static (LedgerDocument Document, LedgerSigner Signer) BuildWithSamplerResidue(int count, bool secure, double samplerDistance = 1e-9)
    {
        var (legacy, _) = secure ? BuildSecureAggregation(count) : Build(count);
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(SessionId, Start, legacy.Header.EpsilonBudget, Delta, legacy.Header.Accountant,
            againstCoordinator: legacy.Header.AgainstCoordinator, accountingVersion: LedgerAccountingVersions.SamplerResidueInDelta);
        var entries = new List<LedgerEntry>();
        foreach (var old in legacy.Entries)
        {
            var distance = samplerDistance * (entries.Count + 1);
            var unsealed = old with
            {
                SamplerTvDistance = samplerDistance,
                DeltaTotal = SamplerResidue.TotalDelta(Delta, Math.Max(old.EpsilonRdp!.Value, old.EpsilonPld!.Value), distance),
                DeltaTotalAgainstCoordinator = secure
                    ? SamplerResidue.TotalDelta(Delta, Math.Max(old.EpsilonAgainstCoordinatorRdp!.Value, old.EpsilonAgainstCoordinatorPld!.Value), distance)
                    : null,
            };
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        return (new LedgerDocument(header, entries, legacy.Checkpoints), signer);
    }

    /// <summary>
    /// A ledger of accounting version 3 whose every figure is derived from its noise inputs the way the coordinator derives
    /// them: central noise over d = 1000 with C = 1, σ = 1.1 (<see cref="GridGaussianMechanism"/>); or secure aggregation of a
    /// cohort of 50 (full SecAgg, t = 25) with a = 0.1, ρ = 0.05, so s_min = 45 and 43 certainly honest shares, on the grid
    /// γ = C/4096 over D = 1024, each share's σ_int² sized for σ = 1.1 (<see cref="EncodingParameters"/>). ε composes the
    /// recorded σ at q = 0.5; entries listed in <paramref name="emptyRounds"/> (0-based) aggregate nothing (and a central one
    /// then records η = 0, as a draw below the minimum does).
    /// </summary>
    public static (LedgerDocument Document, LedgerSigner Signer) BuildWithNoiseInputs(int count, bool secure, params int[] emptyRounds)
    {
        const int dimension = 1000, cohort = 50;
        const double clip = 1.0;
        var signer = LedgerSigner.Create();
        var header = signer.CreateHeader(SessionId, Start, 50, Delta, "rdp",
            againstCoordinator: secure ? LedgerAdversaries.CoordinatorRecorded : LedgerAdversaries.CoordinatorTrusted,
            accountingVersion: LedgerAccountingVersions.NoiseInputsRecorded);
        LedgerEntry template;
        if (secure)
        {
            // Versions 3 and 4 assumed ⌊ρ·n⌋ = 2 colluders per cohort.
            var encoding = new EncodingParameters(dimension, clip, clip / 4096, NoiseMultiplier, 45, cohort, AssumedColluders: 2);
            template = Unsealed(0, 0, "", 0, 0) with
            {
                Mechanism = LedgerMechanisms.DistributedDiscreteGaussian, NoiseMultiplier = encoding.EffectiveNoiseMultiplier(),
                Sensitivity = encoding.EffectiveSensitivity(), ParticipantsSelected = cohort,
                SamplerTvDistance = encoding.NoiseStatisticalDistance(cohort), Dimension = dimension, GridScale = encoding.Gamma,
                IntegerNoiseVariance = (long)encoding.GridNoiseVariance, PaddedDimension = encoding.PaddedDimension, ShamirThreshold = 25,
                MinimumSurvivors = 45, DropoutAllowance = 0.1, CorruptionRate = DistributedNoiseGuarantee.AssumedCorruptionRate,
            };
        }
        else
        {
            template = Unsealed(0, 0, "", 0, 0) with
            {
                Sensitivity = GridGaussianMechanism.ChargedSensitivity(clip, NoiseMultiplier, dimension), ParticipantsSelected = cohort,
                SamplerTvDistance = GridGaussianMechanism.StatisticalDistance(clip, NoiseMultiplier, dimension), Dimension = dimension,
                GridScale = GridGaussianMechanism.Grid(clip, NoiseMultiplier, dimension),
                IntegerNoiseVariance = (long)GridGaussianMechanism.RequestedVariance(clip, NoiseMultiplier, dimension),
            };
        }

        var sigma = template.NoiseMultiplier!.Value;
        var entries = new List<LedgerEntry>();
        var distance = 0.0;
        for (var i = 0; i < count; i++)
        {
            var round = 10 + 2 * i;
            var empty = emptyRounds.Contains(i);
            var eta = empty && !secure ? 0 : template.SamplerTvDistance!.Value;
            distance += eta;
            var steps = new[] { new SubsampledGaussianStep(SamplingRate, sigma, i + 1) };
            var coordinator = new[] { new SubsampledGaussianStep(1.0, sigma, i + 1) };
            var (rdp, pld) = (MemoizingAccountant.Shared.Rdp.GetEpsilon(steps, Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(steps, Delta));
            var unsealed = template with
            {
                Sequence = i + 1, Round = round, RecordedAt = Start.AddMinutes(round), ModelSha256 = empty ? entries[^1].ModelSha256 : ModelSha(round),
                ParticipantsAggregated = empty ? 0 : 48, EpsilonRdp = rdp, EpsilonPld = pld, SamplerTvDistance = eta,
                DeltaTotal = SamplerResidue.TotalDelta(Delta, Math.Max(rdp, pld), distance),
            };
            if (secure)
            {
                var (crdp, cpld) = (MemoizingAccountant.Shared.Rdp.GetEpsilon(coordinator, Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(coordinator, Delta));
                unsealed = unsealed with
                {
                    EpsilonAgainstCoordinatorRdp = crdp, EpsilonAgainstCoordinatorPld = cpld,
                    DeltaTotalAgainstCoordinator = SamplerResidue.TotalDelta(Delta, Math.Max(crdp, cpld), distance),
                };
            }

            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }

    /// <summary>Seals <paramref name="entries"/> again in order under <paramref name="signer"/>, as a coordinator that wrote them would.</summary>
    public static LedgerDocument Resealed(this LedgerDocument document, LedgerSigner signer)
    {
        var entries = new List<LedgerEntry>();
        foreach (var entry in document.Entries)
        {
            entries.Add(signer.Seal(entry, LedgerChain.NextPreviousHash(document.Header, entries.LastOrDefault())));
        }

        return document with { Entries = entries };
    }

    public static readonly ExampleLevelDeclaration ExampleLevel = new(4, 1e-6, "rdp", 1.0, 0, 256);

    /// <summary>
    /// A ledger that declares the example level (budget 4 at δ = 1e-6), with or without the participant level; entry i
    /// records example ε = 0.5·i as the participants' largest report.
    /// </summary>
    public static (LedgerDocument Document, LedgerSigner Signer) BuildWithExampleLevel(int count, bool participantLevel)
    {
        var signer = LedgerSigner.Create();
        var header = participantLevel
            ? signer.CreateHeader(SessionId, Start, 20, Delta, "pld", ExampleLevel)
            : signer.CreateHeader(SessionId, Start, null, null, null, ExampleLevel);
        var epsilons = EpsilonsFor(count);
        var entries = new List<LedgerEntry>();
        for (var i = 0; i < count; i++)
        {
            var round = 10 + 2 * i;
            var unsealed = participantLevel
                ? Unsealed(i + 1, round, ModelSha(round), epsilons[i].Rdp, epsilons[i].Pld)
                : ExampleOnlyUnsealed(i + 1, round, ModelSha(round));
            unsealed = unsealed with { ExampleEpsilonMax = 0.5 * (i + 1) };
            entries.Add(signer.Seal(header, unsealed, LedgerChain.NextPreviousHash(header, entries.LastOrDefault())));
        }

        var checkpoints = entries.Select(e => new CheckpointReference(e.Round, e.ModelSha256)).ToList();
        return (new LedgerDocument(header, entries, checkpoints), signer);
    }

    /// <summary>An entry of a session without a participant-level guarantee: mechanism "none", no participant-level fields.</summary>
    public static LedgerEntry ExampleOnlyUnsealed(long sequence, int round, string modelSha) => new(
        sequence, SessionId, round, Start.AddMinutes(round), LedgerMechanisms.None, null, null, null, null, 50, 48, null, null, null,
        modelSha, PreviousHash: string.Empty, EntryHash: string.Empty, Signature: string.Empty);

    public static LedgerEntry Unsealed(long sequence, int round, string modelSha, double epsilonRdp, double epsilonPld) => new(
        sequence, SessionId, round, Start.AddMinutes(round), LedgerMechanisms.CentralGaussian,
        SamplingRate, NoiseMultiplier, ClipNorm: 1.0, Sensitivity: 1.0, ParticipantsSelected: 50, ParticipantsAggregated: 48,
        Delta, epsilonRdp, epsilonPld, modelSha, PreviousHash: string.Empty, EntryHash: string.Empty, Signature: string.Empty);

    public static string ModelSha(int round) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"weights of round {round}")));

    public static LedgerDocument WithEntries(this LedgerDocument document, IEnumerable<LedgerEntry> entries) =>
        document with { Entries = entries.ToList() };

    public static LedgerDocument Replace(this LedgerDocument document, int index, LedgerEntry entry)
    {
        var entries = document.Entries.ToList();
        entries[index] = entry;
        return document with { Entries = entries };
    }

    /// <summary>Recomputes the hash the way someone without the key could: the signature stays the old one.</summary>
    public static LedgerEntry Rehashed(this LedgerEntry entry) => entry with { EntryHash = LedgerCanonicalEncoding.ComputeHash(entry) };

    private static (double Rdp, double Pld)[] EpsilonsFor(int count) => Enumerable.Range(1, count).Select(k =>
    {
        // Through the shared memo, so the verifier in the tests finds these prefixes already computed.
        var steps = new[] { new SubsampledGaussianStep(SamplingRate, NoiseMultiplier, k) };
        return (MemoizingAccountant.Shared.Rdp.GetEpsilon(steps, Delta), MemoizingAccountant.Shared.Pld.GetEpsilon(steps, Delta));
    }).ToArray();
}
