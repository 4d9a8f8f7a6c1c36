-- FedLearn schema: Orleans cluster membership in PostgreSQL (Coordinator:Cluster:Mode = postgres, docs/operations.md).
-- Orleans' ADO.NET clustering provider (Microsoft.Orleans.Clustering.AdoNet) runs only named queries that it reads from
-- the table OrleansQuery (columns QueryKey, QueryText) at start-up; it does not ship PostgreSQL scripts. The tables and
-- queries below are FedLearn's own, written to that contract: each query receives the provider's @-parameters
-- (DeploymentId is the Orleans cluster id) and the reads return the column names the provider reads.
-- Unused in the default localhost mode.

-- One row per cluster: the membership table's version, Orleans' optimistic-concurrency token. Every change of a member
-- row also moves the version on, and only if the writer saw the current one; a heartbeat does not.
CREATE TABLE orleans_membership_versions (
    deployment_id  text        PRIMARY KEY,
    version        integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per silo incarnation (address, port and generation: a restarted silo has a new generation).
CREATE TABLE orleans_membership (
    deployment_id    text        NOT NULL REFERENCES orleans_membership_versions (deployment_id) ON DELETE CASCADE,
    address          text        NOT NULL,
    port             integer     NOT NULL,
    generation       integer     NOT NULL,
    silo_name        text        NOT NULL,
    host_name        text        NOT NULL,
    status           integer     NOT NULL,
    proxy_port       integer,
    suspect_times    text,
    start_time       timestamptz NOT NULL,
    i_am_alive_time  timestamptz NOT NULL,
    PRIMARY KEY (deployment_id, address, port, generation)
);

CREATE TABLE OrleansQuery (
    QueryKey   text PRIMARY KEY,
    QueryText  text NOT NULL
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
-- Creates the cluster's version row once; true only for the call that created it.
('InsertMembershipVersionKey', $q$
WITH created AS (
    INSERT INTO orleans_membership_versions (deployment_id) VALUES (@DeploymentId)
    ON CONFLICT (deployment_id) DO NOTHING
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM created)
$q$),

-- Adds a silo's row if the caller saw the current version and the row is new; moves the version on. Both writes happen
-- in one statement or neither does; true if they did.
('InsertMembershipKey', $q$
WITH advanced AS (
    UPDATE orleans_membership_versions v SET version = v.version + 1, updated_at = now()
    WHERE v.deployment_id = @DeploymentId AND v.version = @Version AND v.version < 2147483647
      AND NOT EXISTS (SELECT 1 FROM orleans_membership m
                      WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deployment_id),
added AS (
    INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status, proxy_port,
                                    start_time, i_am_alive_time)
    SELECT deployment_id, @Address, @Port, @Generation, COALESCE(@SiloName, ''), COALESCE(@HostName, ''), @Status, @ProxyPort, @StartTime, @IAmAliveTime
    FROM advanced
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM added)
$q$),

-- Changes a silo's status and suspicions if the caller saw the current version and the row exists; moves the version on.
('UpdateMembershipKey', $q$
WITH advanced AS (
    UPDATE orleans_membership_versions v SET version = v.version + 1, updated_at = now()
    WHERE v.deployment_id = @DeploymentId AND v.version = @Version AND v.version < 2147483647
      AND EXISTS (SELECT 1 FROM orleans_membership m
                  WHERE m.deployment_id = @DeploymentId AND m.address = @Address AND m.port = @Port AND m.generation = @Generation)
    RETURNING v.deployment_id),
changed AS (
    UPDATE orleans_membership m SET status = @Status, suspect_times = @SuspectTimes, i_am_alive_time = @IAmAliveTime
    FROM advanced a
    WHERE m.deployment_id = a.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
    RETURNING 1)
SELECT EXISTS (SELECT 1 FROM changed)
$q$),

-- A silo's heartbeat: its own row only, the version untouched.
('UpdateIAmAlivetimeKey', $q$
UPDATE orleans_membership SET i_am_alive_time = @IAmAliveTime
WHERE deployment_id = @DeploymentId AND address = @Address AND port = @Port AND generation = @Generation
$q$),

-- One silo's row with the version (the version alone, with empty member columns, when there is no such row).
('MembershipReadRowKey', $q$
SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime", v.version AS "Version"
FROM orleans_membership_versions v
LEFT JOIN orleans_membership m
       ON m.deployment_id = v.deployment_id AND m.address = @Address AND m.port = @Port AND m.generation = @Generation
WHERE v.deployment_id = @DeploymentId
$q$),

-- Every silo's row with the version, read in one statement so rows and version belong together.
('MembershipReadAllKey', $q$
SELECT v.deployment_id AS "DeploymentId", m.address AS "Address", m.port AS "Port", m.generation AS "Generation",
       m.silo_name AS "SiloName", m.host_name AS "HostName", m.status AS "Status", m.proxy_port AS "ProxyPort",
       m.suspect_times AS "SuspectTimes", m.start_time AS "StartTime", m.i_am_alive_time AS "IAmAliveTime", v.version AS "Version"
FROM orleans_membership_versions v
LEFT JOIN orleans_membership m ON m.deployment_id = v.deployment_id
WHERE v.deployment_id = @DeploymentId
$q$),

-- The gateways of the silos in the given status (Orleans asks for active ones).
('GatewaysQueryKey', $q$
SELECT address AS "Address", proxy_port AS "ProxyPort", generation AS "Generation"
FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = @Status AND proxy_port > 0
$q$),

-- Forgets a whole cluster (the members go with the version row).
('DeleteMembershipTableEntriesKey', $q$
DELETE FROM orleans_membership_versions WHERE deployment_id = @DeploymentId
$q$),

-- Removes dead silos (status 6) not heard from, nor started, since the cut-off.
('CleanupDefunctSiloEntriesKey', $q$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = 6 AND i_am_alive_time < @IAmAliveTime AND start_time < @IAmAliveTime
$q$),

-- Removes one dead silo's row, only if it is still exactly as the caller read it.
('CleanupDefunctSiloEntryKey', $q$
DELETE FROM orleans_membership
WHERE deployment_id = @DeploymentId AND status = 6
  AND address = @Address AND port = @Port AND generation = @Generation
  AND i_am_alive_time = @IAmAliveTime AND start_time = @StartTime
  AND suspect_times IS NOT DISTINCT FROM @SuspectTimes
$q$);
