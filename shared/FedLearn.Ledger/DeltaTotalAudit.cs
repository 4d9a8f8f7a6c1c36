using FedLearn.Privacy;

namespace FedLearn.Ledger;

/// <summary>
/// Recomputes each entry's <c>delta_total</c> (accounting version 2): the header's δ plus what the samplers' distance
/// from the exact discrete Gaussian costs, (1 + e^ε)·Σ_{j≤i} η_j (<see cref="SamplerResidue.TotalDelta"/>; a mechanism
/// within total variation η of an (ε, δ)-DP one is (ε, δ + (1 + e^ε)·η)-DP, and the releases' distances add). ε is the
/// larger of the entry's RDP and PLD figure, recorded or recomputed, so the recorded δ must hold for both. From version 6
/// it also adds Σ_{j≤i} δ_c,j, the recorded chances that a secure cohort held more colluders than its noise was sized for
/// (<see cref="SamplerResidue.WithColluderTail"/>; union bound over the attempts).
/// </summary>
internal sealed class DeltaTotalAudit(
    LedgerHeader header, IReadOnlyList<LedgerEntry> entries, double tolerance, List<LedgerDiscrepancy> discrepancies)
{
    public double? RecomputedFinal { get; private set; }

    public double? RecomputedFinalAgainstCoordinator { get; private set; }

    public void Run(EpsilonAudit consumers, EpsilonAudit coordinator)
    {
        if (!header.HasParticipantLevel || !header.RecordsSamplerResidue || !LedgerValidation.IsValidDelta(header.Delta))
        {
            return;
        }

        var delta = header.Delta!.Value;
        var distance = 0.0;
        var colluderTail = 0.0;
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (!LedgerMechanisms.IsAccountable(entry.Mechanism) || entry.SamplerTvDistance is not (>= 0 and <= 1) || double.IsNegative(entry.SamplerTvDistance.Value))
            {
                return; // Already named as malformed or a level mismatch; later sums would be meaningless.
            }

            distance = Math.Min(1, distance + entry.SamplerTvDistance.Value);
            if (header.RecordsColluderBound && entry.ColluderTailProbability is { } tail)
            {
                if (!(tail is > 0 and < 1))
                {
                    return; // Already named as malformed.
                }

                colluderTail = Math.Min(1, colluderTail + tail);
            }

            var consumersDelta = Check(entry, "delta_total", entry.DeltaTotal, delta, distance, colluderTail,
                entry.EpsilonRdp, entry.EpsilonPld, consumers.Rdp[i], consumers.Pld[i]);
            double? coordinatorDelta = null;
            if (header.RecordsEpsilonAgainstCoordinator)
            {
                coordinatorDelta = Check(entry, "delta_total_against_coordinator", entry.DeltaTotalAgainstCoordinator, delta, distance, colluderTail,
                    entry.EpsilonAgainstCoordinatorRdp, entry.EpsilonAgainstCoordinatorPld, coordinator.Rdp[i], coordinator.Pld[i]);
            }

            if (i == entries.Count - 1)
            {
                (RecomputedFinal, RecomputedFinalAgainstCoordinator) = (consumersDelta, coordinatorDelta);
            }
        }
    }

    private double? Check(
        LedgerEntry entry, string field, double? recordedOrNull, double delta, double distance, double colluderTail, params double?[] epsilons)
    {
        var usable = epsilons.Where(e => e is >= 0 && double.IsFinite(e.Value)).Select(e => e!.Value).ToList();
        if (usable.Count == 0)
        {
            return null; // No ε to price the residue at: the ε figures are already named.
        }

        var recomputed = SamplerResidue.WithColluderTail(SamplerResidue.TotalDelta(delta, usable.Max(), distance), colluderTail);
        if (recordedOrNull is not { } recorded)
        {
            return recomputed; // Missing: already a level mismatch.
        }

        var slack = tolerance * recomputed;
        if (recorded < recomputed - slack)
        {
            discrepancies.Add(new(
                LedgerDiscrepancyKinds.DeltaTotalUnderReported, entry.Sequence, entry.Round,
                $"Recorded {field} {recorded:R} is below {recomputed:R}, delta plus (1 + e^epsilon) times the samplers' summed " +
                $"total variation distance {distance:R}" + (colluderTail > 0 ? $" plus the colluder bounds' summed tail {colluderTail:R}" : "") +
                ": the ledger understates delta."));
        }
        else if (recorded > recomputed + slack)
        {
            discrepancies.Add(new(
                LedgerDiscrepancyKinds.DeltaTotalOverReported, entry.Sequence, entry.Round,
                $"Recorded {field} {recorded:R} is above its recomputation {recomputed:R} (relative tolerance {tolerance:R})."));
        }

        return recomputed;
    }
}
