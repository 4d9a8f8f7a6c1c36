using System.Net;
using System.Net.Sockets;
using Npgsql;
using Orleans.Configuration;

namespace FedLearn.Coordinator.Hosting;

/// <summary>
/// The silo's clustering: one silo on localhost (the default), or a cluster whose membership lives in the coordinator's
/// PostgreSQL database through Orleans' ADO.NET clustering provider, which runs the queries migration 010 stores in
/// OrleansQuery. Settings are checked before anything starts.
/// </summary>
public static class CoordinatorCluster
{
    /// <summary>Refuses a cluster configuration that makes no sense, naming the setting and what it should be.</summary>
    public static void Validate(CoordinatorOptions options)
    {
        var cluster = options.Cluster;
        if (cluster.Mode is not (CoordinatorClusterOptions.Localhost or CoordinatorClusterOptions.Postgres))
        {
            throw new InvalidOperationException(
                $"Coordinator:Cluster:Mode '{cluster.Mode}' is not known: use '{CoordinatorClusterOptions.Localhost}' (one coordinator) or '{CoordinatorClusterOptions.Postgres}' (a cluster with membership in PostgreSQL).");
        }
        if (string.IsNullOrWhiteSpace(options.ClusterId) || string.IsNullOrWhiteSpace(cluster.ServiceId))
        {
            throw new InvalidOperationException("Coordinator:ClusterId and Coordinator:Cluster:ServiceId must not be empty.");
        }
        if (options.SiloPort == options.GatewayPort)
        {
            throw new InvalidOperationException($"Coordinator:SiloPort and Coordinator:GatewayPort are both {options.SiloPort}; each needs its own port.");
        }
        if (cluster.ResumeIntervalSeconds is < 1 or > 3600)
        {
            throw new InvalidOperationException($"Coordinator:Cluster:ResumeIntervalSeconds must be between 1 and 3600, not {cluster.ResumeIntervalSeconds}.");
        }
        if (!string.IsNullOrWhiteSpace(cluster.AdvertisedAddress))
        {
            if (cluster.Mode == CoordinatorClusterOptions.Localhost)
            {
                throw new InvalidOperationException(
                    "Coordinator:Cluster:AdvertisedAddress is set but Coordinator:Cluster:Mode is 'localhost', where no other silo can reach this one; set the mode to 'postgres' or remove the address.");
            }
            if (!IPAddress.TryParse(cluster.AdvertisedAddress, out var address)
                || IPAddress.Any.Equals(address) || IPAddress.IPv6Any.Equals(address))
            {
                throw new InvalidOperationException(
                    $"Coordinator:Cluster:AdvertisedAddress '{cluster.AdvertisedAddress}' is not an IP address other silos can reach (e.g. 10.0.0.5); leave it empty to use this machine's first non-loopback IPv4 address.");
            }
        }
    }

    public static void Configure(ISiloBuilder silo, CoordinatorOptions options)
    {
        var cluster = options.Cluster;
        if (cluster.Mode == CoordinatorClusterOptions.Localhost)
        {
            silo.UseLocalhostClustering(options.SiloPort, options.GatewayPort, serviceId: cluster.ServiceId, clusterId: options.ClusterId);
            return;
        }
        silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (options.ClusterId, cluster.ServiceId));
        if (string.IsNullOrWhiteSpace(cluster.AdvertisedAddress))
        {
            silo.ConfigureEndpoints(options.SiloPort, options.GatewayPort, AddressFamily.InterNetwork);
        }
        else
        {
            silo.ConfigureEndpoints(IPAddress.Parse(cluster.AdvertisedAddress), options.SiloPort, options.GatewayPort);
        }
        if (!options.InsecureDevelopmentPlaintext)
        {
            SiloTransportSecurity.Configure(silo, options);
        }
        // The coordinator's own data source (its least-privileged role): the membership tables are working tables like the others.
        silo.UseAdoNetClustering(adoNet => adoNet.Configure<NpgsqlDataSource>((o, dataSource) =>
        {
            o.Invariant = "Npgsql";
            o.DataSource = dataSource;
        }));
    }
}
