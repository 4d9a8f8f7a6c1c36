namespace FedLearn.Ledger;

/// <summary>
/// What a ledger's figures are stated for (docs/threat-model.md): the neighbouring relation, and the adversary each
/// figure holds against. The header carries these names, so the hashed and signed chain says what its numbers mean.
/// </summary>
public static class LedgerAdversaries
{
    /// <summary>
    /// <c>neighbouring_relation</c>: neighbouring federations differ in one participant's data being replaced by data
    /// whose every update is zero (participant level), or one record by a record whose clipped gradient is zero (example
    /// level). Presence, cohort sizes, survivors and dataset sizes are public (Kairouz et al. 2021, "Practical and Private
    /// (Deep) Learning without Sampling or Shuffling", §2; Ponomareva et al. 2023, "How to DP-fy ML", §2.1). The sampled
    /// Gaussian bounds (Mironov, Talwar &amp; Zhang 2019) hold for it with sensitivity C.
    /// </summary>
    public const string ZeroOut = "zero-out";

    /// <summary>
    /// <c>epsilon_against</c>: <c>epsilon_rdp</c>/<c>epsilon_pld</c> bound what anyone who reads the coordinator's
    /// releases (models, status, counts, the ledger) can learn; amplified by the secret Poisson sampling, so they do not
    /// hold against the coordinator, which draws the sample.
    /// </summary>
    public const string ReleaseConsumers = "release_consumers";

    /// <summary>
    /// <c>example_epsilon_against</c>: the example-level ε holds against the release consumers and the coordinator too,
    /// because DP-SGD noise is added on the participant's device before the update leaves it.
    /// </summary>
    public const string ReleaseConsumersAndCoordinator = "release_consumers_and_coordinator";

    /// <summary>
    /// <c>against_coordinator</c> in a secure-aggregation session: every entry records the worst-case ε against the
    /// (honest-but-curious) coordinator, <c>epsilon_against_coordinator_rdp</c>/<c>_pld</c>.
    /// </summary>
    public const string CoordinatorRecorded = "recorded";

    /// <summary>
    /// <c>against_coordinator</c> in a central-noise session: the coordinator sees every clipped update in the clear and
    /// adds the noise itself, so it is trusted and there is no guarantee, and no figure, against it.
    /// </summary>
    public const string CoordinatorTrusted = "trusted";

    /// <summary>The <c>against_coordinator</c> a session's participant-level mechanism implies.</summary>
    public static string AgainstCoordinatorFor(string mechanism) =>
        mechanism == LedgerMechanisms.DistributedDiscreteGaussian ? CoordinatorRecorded : CoordinatorTrusted;
}
