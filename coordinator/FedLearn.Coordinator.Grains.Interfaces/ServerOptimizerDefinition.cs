namespace FedLearn.Coordinator.Grains;

/// <summary>
/// How the coordinator turns a round's released aggregate Δ into the model's step: plain FedAvg (w + η·Δ), server momentum
/// (FedAvgM, Hsu et al. 2019) or one of the adaptive optimizers of Reddi et al. 2021, "Adaptive Federated Optimization",
/// Algorithm 2 (FedAdagrad, FedYogi, FedAdam). η is the session's server_learning_rate. Null members take the defaults below
/// (<see cref="WithDefaults"/>), but only those the kind uses: a member the kind ignores must stay null (validated by
/// <c>SessionDefinitionValidator</c>). A session created before optimizers existed has none and runs FedAvg.
/// Documented on ServerOptimizerConfig in admin.proto.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.ServerOptimizerDefinition")]
public sealed record ServerOptimizerDefinition(
    [property: Id(0)] string Kind,
    [property: Id(1)] double? Beta1 = null,
    [property: Id(2)] double? Beta2 = null,
    [property: Id(3)] double? Tau = null)
{
    public const string FedAvg = "fedavg";
    public const string FedAvgM = "fedavgm";
    public const string FedAdagrad = "fedadagrad";
    public const string FedYogi = "fedyogi";
    public const string FedAdam = "fedadam";

    /// <summary>β₁ = 0.9: Reddi et al. 2021 §5 fix it for the adaptive optimizers; a common server momentum for FedAvgM (Hsu et al. 2019).</summary>
    public const double DefaultBeta1 = 0.9;

    /// <summary>Reddi et al. 2021 §5: β₂ = 0.99.</summary>
    public const double DefaultBeta2 = 0.99;

    /// <summary>τ = 10⁻³, inside the range {10⁻⁵, …, 10⁻¹} over which Reddi et al. 2021 (§5, App. D) tune the adaptivity τ.</summary>
    public const double DefaultTau = 1e-3;

    public static readonly ServerOptimizerDefinition Default = new(FedAvg);

    /// <summary>The kinds whose state (momentum, second moments) is checkpointed with the model.</summary>
    public bool IsStateful => Kind is not FedAvg;

    /// <summary>True when the kind uses β₁ (the first moment, or FedAvgM's momentum).</summary>
    public static bool UsesBeta1(string kind) => kind is FedAvgM or FedAdagrad or FedYogi or FedAdam;

    /// <summary>True when the kind uses β₂ (FedAdagrad sums the squares without decay).</summary>
    public static bool UsesBeta2(string kind) => kind is FedYogi or FedAdam;

    /// <summary>True when the kind divides by √v + τ.</summary>
    public static bool UsesTau(string kind) => kind is FedAdagrad or FedYogi or FedAdam;

    /// <summary>The kind in lower case ("fedavg" when empty) and the defaults for the members it uses.</summary>
    public ServerOptimizerDefinition WithDefaults()
    {
        var kind = string.IsNullOrWhiteSpace(Kind) ? FedAvg : Kind.Trim().ToLowerInvariant();
        return new ServerOptimizerDefinition(
            kind,
            UsesBeta1(kind) ? Beta1 ?? DefaultBeta1 : Beta1,
            UsesBeta2(kind) ? Beta2 ?? DefaultBeta2 : Beta2,
            UsesTau(kind) ? Tau ?? DefaultTau : Tau);
    }
}
