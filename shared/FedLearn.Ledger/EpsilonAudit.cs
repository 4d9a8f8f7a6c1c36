using System.Globalization;
using FedLearn.Privacy;

namespace FedLearn.Ledger;

/// <summary>
/// Recomputes ε after every entry from the raw (q, σ) of entries 1..i and compares it with what was recorded.
/// RDP is recomputed for every prefix. PLD is recomputed for every prefix up to
/// <see cref="LedgerAccountants.PldEveryPrefixUpTo"/> entries; beyond that for
/// <see cref="LedgerAccountants.PldSampledPrefixes"/> evenly spaced prefixes that always include the first and
/// the last, and every other entry's recorded PLD ε is bracketed between the exact values of its sampled neighbours
/// (ε never decreases when a round is composed in, so the true value lies in that bracket).
/// </summary>
internal sealed class EpsilonAudit(
    IReadOnlyList<LedgerEntry> entries,
    double tolerance,
    LedgerAccountants accountants,
    List<LedgerDiscrepancy> discrepancies,
    EpsilonFigure? figure = null)
{
    private readonly EpsilonFigure _figure = figure ?? EpsilonFigure.ReleaseConsumers;

    public double? RecomputedFinalRdp { get; private set; }

    public double? RecomputedFinalPld { get; private set; }

    /// <summary>Exact recomputed ε per entry index, or null where not computed.</summary>
    public double?[] Rdp { get; } = new double?[entries.Count];

    public double?[] Pld { get; } = new double?[entries.Count];

    public int PldRecomputed { get; private set; }

    public int PldBracketed { get; private set; }

    public void Run()
    {
        var steps = new List<SubsampledGaussianStep>(entries.Count);
        foreach (var entry in entries)
        {
            var step = _figure.Step(entry);
            if (step is null)
            {
                if (!_figure.ReportsUnrecomputable)
                {
                    break;
                }

                discrepancies.Add(new(
                    LedgerDiscrepancyKinds.EpsilonNotRecomputable, entry.Sequence, entry.Round,
                    $"Mechanism \"{entry.Mechanism}\" with q = {entry.SamplingRate?.ToString("R", CultureInfo.InvariantCulture) ?? "none"}, " +
                    $"sigma = {entry.NoiseMultiplier?.ToString("R", CultureInfo.InvariantCulture) ?? "none"} cannot be accounted; " +
                    $"epsilon of this and the following {entries.Count - steps.Count - 1} entries is unchecked."));
                break;
            }

            steps.Add(step);
        }

        var count = steps.Count;
        if (count == 0)
        {
            return;
        }

        var all = steps.ToArray();

        var rdp = accountants.Rdp;
        for (var i = 0; i < count; i++)
        {
            if (LedgerValidation.IsValidDelta(entries[i].Delta))
            {
                Rdp[i] = rdp.GetEpsilon(Prefix(all, i), entries[i].Delta!.Value);
                Compare("RDP", entries[i], _figure.RecordedRdp(entries[i]), Rdp[i]!.Value);
            }
        }

        var pld = accountants.Pld;
        var exact = PldPlan(count);
        for (var i = 0; i < count; i++)
        {
            if (exact[i] && LedgerValidation.IsValidDelta(entries[i].Delta))
            {
                Pld[i] = pld.GetEpsilon(Prefix(all, i), entries[i].Delta!.Value);
                PldRecomputed++;
                Compare("PLD", entries[i], _figure.RecordedPld(entries[i]), Pld[i]!.Value);
            }
        }

        BracketPld(count);
        if (count == entries.Count)
        {
            RecomputedFinalRdp = Rdp[count - 1];
            RecomputedFinalPld = Pld[count - 1];
        }
    }

    private static ArraySegment<SubsampledGaussianStep> Prefix(SubsampledGaussianStep[] steps, int last) => new(steps, 0, last + 1);

    private bool[] PldPlan(int count)
    {
        var exact = new bool[count];
        if (count <= accountants.PldEveryPrefixUpTo || accountants.PldSampledPrefixes >= count)
        {
            Array.Fill(exact, true);
            return exact;
        }

        var samples = Math.Max(2, accountants.PldSampledPrefixes);
        for (var k = 0; k < samples; k++)
        {
            exact[(int)Math.Round(k * (count - 1) / (double)(samples - 1))] = true;
        }

        // A bracket only holds at one δ: entries at another δ (already a discrepancy) are computed exactly.
        var delta = entries[count - 1].Delta;
        for (var i = 0; i < count; i++)
        {
            exact[i] |= entries[i].Delta != delta;
        }

        return exact;
    }

    private void BracketPld(int count)
    {
        double? lower = null;
        for (var i = 0; i < count; i++)
        {
            if (Pld[i] is { } known)
            {
                lower = known;
                continue;
            }

            if (!LedgerValidation.IsValidDelta(entries[i].Delta))
            {
                continue;
            }

            var upper = Pld.Skip(i + 1).Take(count - i - 1).FirstOrDefault(v => v is not null);
            if (_figure.RecordedPld(entries[i]) is not { } recorded)
            {
                continue;
            }

            PldBracketed++;
            if (recorded < (lower ?? 0) * (1 - tolerance))
            {
                discrepancies.Add(new(
                    _figure.UnderReported, entries[i].Sequence, entries[i].Round,
                    $"Recorded PLD {_figure.Label} {recorded:R} is below {lower:R}, the recomputed PLD epsilon of an earlier prefix; " +
                    "epsilon cannot decrease as rounds are added."));
            }
            else if (upper is not null && recorded > upper.Value * (1 + tolerance))
            {
                discrepancies.Add(new(
                    _figure.OverReported, entries[i].Sequence, entries[i].Round,
                    $"Recorded PLD {_figure.Label} {recorded:R} is above {upper:R}, the recomputed PLD epsilon of a later prefix."));
            }
        }
    }

    private void Compare(string accountant, LedgerEntry entry, double? recordedOrNull, double recomputed)
    {
        if (recordedOrNull is not { } recorded)
        {
            return; // Missing: already an entry_malformed discrepancy.
        }

        var slack = tolerance * Math.Abs(recomputed);
        if (recorded < recomputed - slack)
        {
            discrepancies.Add(new(
                _figure.UnderReported, entry.Sequence, entry.Round,
                $"Recorded {accountant} {_figure.Label} {recorded:R} is below the recomputed {recomputed:R} " +
                $"(relative tolerance {tolerance:R}): the ledger overstates the privacy guarantee."));
        }
        else if (recorded > recomputed + slack || double.IsNaN(recorded))
        {
            discrepancies.Add(new(
                _figure.OverReported, entry.Sequence, entry.Round,
                $"Recorded {accountant} {_figure.Label} {recorded:R} is above the recomputed {recomputed:R} (relative tolerance {tolerance:R})."));
        }
    }
}

/// <summary>
/// One participant-level ε figure an entry records and how the verifier recomputes it: the release consumers' ε
/// (Poisson-subsampled Gaussian steps, q and σ of each entry) or the worst case against the coordinator (the same σ with
/// q = 1, because the coordinator knows the cohort).
/// </summary>
internal sealed record EpsilonFigure(
    string Label,
    Func<LedgerEntry, SubsampledGaussianStep?> Step,
    Func<LedgerEntry, double?> RecordedRdp,
    Func<LedgerEntry, double?> RecordedPld,
    string UnderReported,
    string OverReported,
    bool ReportsUnrecomputable)
{
    public static readonly EpsilonFigure ReleaseConsumers = new(
        "epsilon", LedgerValidation.Step, e => e.EpsilonRdp, e => e.EpsilonPld,
        LedgerDiscrepancyKinds.EpsilonUnderReported, LedgerDiscrepancyKinds.EpsilonOverReported, ReportsUnrecomputable: true);

    /// <summary>
    /// From accounting version 4 the release consumers' figures claim no amplification by sampling (the cohort sizes are
    /// published): the same q = 1 composition as against the coordinator, so an entry that still records the amplified
    /// figure is named <c>epsilon_under_reported</c>.
    /// </summary>
    public static readonly EpsilonFigure ReleaseConsumersUnamplified = ReleaseConsumers with
    {
        Label = "epsilon (release consumers, no amplification by sampling: accounting version 4)",
        Step = LedgerValidation.UnamplifiedStep,
    };

    /// <summary>The release consumers' figure as <paramref name="header"/>'s accounting version defines it.</summary>
    public static EpsilonFigure ReleaseConsumersFor(LedgerHeader header) =>
        header.ReleaseConsumersAmplified ? ReleaseConsumers : ReleaseConsumersUnamplified;

    /// <summary>An unusable σ is already reported by the release consumers' audit, so this one just stops there.</summary>
    public static readonly EpsilonFigure AgainstCoordinator = new(
        "epsilon against the coordinator", LedgerValidation.UnamplifiedStep, e => e.EpsilonAgainstCoordinatorRdp, e => e.EpsilonAgainstCoordinatorPld,
        LedgerDiscrepancyKinds.EpsilonAgainstCoordinatorUnderReported, LedgerDiscrepancyKinds.EpsilonAgainstCoordinatorOverReported,
        ReportsUnrecomputable: false);
}
