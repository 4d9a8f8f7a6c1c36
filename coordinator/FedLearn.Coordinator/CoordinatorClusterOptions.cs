namespace FedLearn.Coordinator;

/// <summary>
/// How coordinator silos form an Orleans cluster (section "Coordinator:Cluster"; docs/operations.md "Running a cluster").
/// Checked at start-up by <see cref="Hosting.CoordinatorCluster"/>: a setting that makes no sense stops the coordinator.
/// </summary>
public sealed class CoordinatorClusterOptions
{
    public const string Localhost = "localhost";
    public const string Postgres = "postgres";

    /// <summary>
    /// "localhost" (default): one silo in this process, nobody else can join. "postgres": membership in the coordinator's
    /// PostgreSQL database, so every coordinator started with the same ClusterId and ServiceId on that database joins one
    /// cluster.
    /// </summary>
    public string Mode { get; set; } = Localhost;

    /// <summary>The Orleans service id; it must be the same on every silo of a cluster and stay the same across deployments.</summary>
    public string ServiceId { get; set; } = "fedlearn";

    /// <summary>
    /// Postgres mode: the IP address other silos reach this one at (silo-to-silo traffic, Coordinator:SiloPort). Empty:
    /// this machine's first non-loopback IPv4 address (what a container's own address is). Must be empty in localhost mode.
    /// </summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>
    /// How often each silo looks for running sessions and wakes them (seconds): a session whose silo died continues on a
    /// live one within about this long once the cluster has declared the dead silo dead.
    /// </summary>
    public int ResumeIntervalSeconds { get; set; } = 10;
}
