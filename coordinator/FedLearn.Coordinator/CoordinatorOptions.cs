using System.ComponentModel.DataAnnotations;

namespace FedLearn.Coordinator;

/// <summary>The coordinator's settings (section "Coordinator"); validated at start-up.</summary>
public sealed class CoordinatorOptions
{
    public const string SectionName = "Coordinator";

    /// <summary>Held-out test set for per-round evaluation: a directory of IDX files (t10k-*) or a CSV file; empty to skip evaluation.</summary>
    public string? TestData { get; set; }

    /// <summary>Where the JSON log file goes; empty for console only.</summary>
    public string? LogDirectory { get; set; } = "logs";

    /// <summary>Seconds between heartbeats on participants' work streams.</summary>
    [Range(1, 300)]
    public int HeartbeatSeconds { get; set; } = 5;

    /// <summary>Model downloads served at once; more wait for a slot (admission control, docs/architecture.md "Data path").</summary>
    [Range(1, 100000)]
    public int MaxConcurrentDownloads { get; set; } = 32;

    /// <summary>Update uploads read at once; more wait unread (HTTP/2 flow control holds their bytes at the participant).</summary>
    [Range(1, 100000)]
    public int MaxConcurrentUploads { get; set; } = 16;

    /// <summary>How long a download or upload may wait for a slot before it is answered UNAVAILABLE (retry).</summary>
    [Range(1, 3600)]
    public int AdmissionWaitSeconds { get; set; } = 300;

    /// <summary>
    /// Where Prometheus scrapes the coordinator's metrics, a plain-HTTP prefix such as http://127.0.0.1:9464/ (served at
    /// /metrics under it, by its own listener beside the gRPC port); empty for none. Metrics carry no update values and no
    /// participant ids (docs/operations.md), but keep the listener on an address only your monitoring reaches.
    /// </summary>
    public string? PrometheusUrl { get; set; }

    /// <summary>
    /// The Prometheus listener is plain HTTP without authentication, so by default it may only bind a loopback address;
    /// true allows any other (put it on a network only your monitoring reaches).
    /// </summary>
    public bool PrometheusAllowNonLoopback { get; set; }

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>The Orleans cluster id: silos with the same id (and service id) form one cluster.</summary>
    [Required]
    public string ClusterId { get; set; } = "fedlearn";

    /// <summary>How silos find each other (section "Coordinator:Cluster"); the default is one process on localhost.</summary>
    public CoordinatorClusterOptions Cluster { get; set; } = new();

    /// <summary>
    /// The ECDSA P-256 key that signs ledger entries (PKCS#8 PEM; created with mode 600 on first start). Keep it out of the
    /// database: whoever can change the database must not also be able to re-sign the ledger.
    /// </summary>
    [Required]
    public string LedgerKeyPath { get; set; } = "keys/ledger-signing-key.pem";

    /// <summary>
    /// The federation's files from <c>fedlearn federation init</c>: ca.crt and ca.key (the CA that signs enrollments),
    /// server.crt and server.key (this coordinator's TLS certificate). The paths below override single files, e.g. to use
    /// an enterprise CA (or an intermediate it issued) instead of a self-managed one.
    /// </summary>
    public string FederationDirectory { get; set; } = "federation";

    public string? CaCertificatePath { get; set; }

    public string? CaKeyPath { get; set; }

    public string? ServerCertificatePath { get; set; }

    public string? ServerKeyPath { get; set; }

    /// <summary>
    /// Development only: serve gRPC in plain text with no authentication at all (every caller may do everything, and
    /// participants are whoever they say they are). Logged loudly at start-up. Never on a network you do not control.
    /// </summary>
    public bool InsecureDevelopmentPlaintext { get; set; }

    /// <summary>Lifetime of participants' certificates; the daemon renews when a third of it is left.</summary>
    [Range(1, 90)]
    public int ParticipantCertificateDays { get; set; } = 7;

    /// <summary>Lifetime of CLI users' certificates (engineer, auditor, admin).</summary>
    [Range(1, 365)]
    public int UserCertificateDays { get; set; } = 30;

    /// <summary>How long a revocation may take to reach a call at most (the revocation list is cached that long).</summary>
    [Range(0, 60)]
    public int RevocationCacheSeconds { get; set; } = 2;

    /// <summary>How long start-up waits for PostgreSQL before giving up.</summary>
    [Range(0, 3600)]
    public int DatabaseStartupTimeoutSeconds { get; set; } = 60;
}
