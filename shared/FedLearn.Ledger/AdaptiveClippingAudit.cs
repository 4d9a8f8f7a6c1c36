using FedLearn.Privacy;

namespace FedLearn.Ledger;

/// <summary>
/// Accounting version 5: in a session with adaptive clipping (Andrew et al. 2021, §2, geometric update) every round's clip
/// norm must follow from the previous entry's released values, C_{i+1} = C_i·exp(−η_C·(clamp(b̃_i/n_i, 0, 1) − γ)) with b̃_i
/// its noisy unclipped count and n_i its participants_aggregated (C unchanged after an empty step), and γ, η_C and σ_b may
/// not change along the ledger. So the clip norm is a function of released quantities only, and an auditor re-derives each
/// one. The joint σ itself is checked against the noise inputs by <see cref="NoiseDerivationAudit"/>.
/// </summary>
internal sealed class AdaptiveClippingAudit(LedgerHeader header, IReadOnlyList<LedgerEntry> entries, double tolerance, List<LedgerDiscrepancy> discrepancies)
{
    public void Run()
    {
        if (!header.HasParticipantLevel || !header.RecordsAdaptiveClipping)
        {
            return;
        }

        var adaptive = entries.Where(e => e.HasAdaptiveClipping).ToList();
        if (adaptive.Count == 0)
        {
            return;
        }

        if (adaptive.Count != entries.Count)
        {
            Add(entries.First(e => !e.HasAdaptiveClipping), "The session adapts its clip norm in some entries and not in this one: every entry of such a session records it.");
            return;
        }

        var first = entries[0];
        LedgerEntry? previous = null;
        foreach (var entry in entries)
        {
            if (LedgerValidation.Content(entry).Count > 0 || entry.ClipNorm is not { } clip)
            {
                previous = null; // Malformed fields are already named; the chain restarts after them.
                continue;
            }

            if (entry.ClipTargetQuantile != first.ClipTargetQuantile || entry.ClipLearningRate != first.ClipLearningRate
                || entry.BitNoiseStddev != first.BitNoiseStddev)
            {
                Add(entry, $"clip_target_quantile, clip_learning_rate and bit_noise_stddev ({entry.ClipTargetQuantile:R}, {entry.ClipLearningRate:R}, " +
                    $"{entry.BitNoiseStddev:R}) differ from the first entry's ({first.ClipTargetQuantile:R}, {first.ClipLearningRate:R}, {first.BitNoiseStddev:R}).");
            }

            if (previous is { ClipNorm: { } before, ClipTargetQuantile: { } target, ClipLearningRate: { } rate })
            {
                double expected;
                try
                {
                    expected = AdaptiveClipping.NextClipNorm(before, previous.NoisyUnclippedCount, previous.ParticipantsAggregated, target, rate);
                }
                catch (ArgumentException e)
                {
                    Add(entry, $"The clip norm cannot be re-derived from entry {previous.Sequence}: {e.Message}");
                    previous = entry;
                    continue;
                }

                if (!(Math.Abs(clip - expected) <= tolerance * expected))
                {
                    Add(entry, $"clip_norm {clip:R} is not {expected:R}, C·exp(−η_C·(clamp(noisy_unclipped_count/participants_aggregated, 0, 1) − γ)) " +
                        $"from entry {previous.Sequence} (Andrew et al. 2021, §2; relative tolerance {tolerance:R}): the clip norm did not follow the released count.");
                }
            }

            previous = entry;
        }
    }

    private void Add(LedgerEntry entry, string message) =>
        discrepancies.Add(new(LedgerDiscrepancyKinds.ClipNormMismatch, entry.Sequence, entry.Round, message));
}
