using System.Text.Json;

namespace FedLearn.Benchmarks.SecAgg;

/// <summary>Figures of one <see cref="SecAggBenchmark.Run"/>; times in milliseconds. <see cref="ToJson"/> is snake_case.</summary>
public sealed record BenchmarkReport
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    public required int Participants { get; init; }
    public required int Dimension { get; init; }
    public required double Dropout { get; init; }
    public required int Neighbors { get; init; }
    public required int Threshold { get; init; }
    public required int Survivors { get; init; }
    public required int Dropped { get; init; }

    /// <summary>AES-CTR mask expansions the coordinator does: |U3| self masks + pairwise masks of dropped participants.</summary>
    public required int CoordinatorMaskExpansions { get; init; }

    /// <summary>Streaming Σ y_u over the survivors' masked inputs (one core).</summary>
    public required double CoordinatorSumMs { get; init; }

    /// <summary>Receiving unmask responses, Shamir reconstruction, ECDH for dropped pairs, mask removal (one core).</summary>
    public required double CoordinatorUnmaskMs { get; init; }

    public required double CoordinatorTotalMs { get; init; }

    /// <summary>Clip, rotate, scale, conditional rounding, discrete Gaussian noise (median over the sampled participants).</summary>
    public required double ParticipantEncodeMs { get; init; }

    /// <summary>Of which: drawing the d discrete Gaussian samples alone.</summary>
    public required double ParticipantNoiseMs { get; init; }

    /// <summary>Decrypting k shares, k ECDH + HKDF, expanding and adding 1 + k masks.</summary>
    public required double ParticipantMaskMs { get; init; }

    public required double ParticipantTotalMs { get; init; }

    /// <summary>Floor: expand one d × u32 mask with AES-CTR and add it to a vector.</summary>
    public required double FloorExpandAddMs { get; init; }

    /// <summary>Floor: add 1000 distinct d × u32 vectors into one sum.</summary>
    public required double FloorSum1000Ms { get; init; }

    /// <summary>Floor for this coordinator: expansions × FloorExpandAddMs + survivors/1000 × FloorSum1000Ms.</summary>
    public required double FloorCoordinatorMs { get; init; }

    public required bool SumMatchesPlainSum { get; init; }
    public required bool AesIntrinsics { get; init; }
    public required int ModulusBits { get; init; }
    public required double EffectiveSensitivity { get; init; }
    public required string Machine { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
