using FedLearn.Identity;
using FedLearn.Participant.Encoding;
using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Participant.Work;
using FedLearn.Training;
using Microsoft.Extensions.Logging;
using Serilog.Extensions.Logging;

namespace FedLearn.Participant.Simulation;

/// <summary>
/// Thousands of participants in one process, each the daemon's own code (<see cref="ParticipantWorker"/> and
/// <see cref="RoundExecutor"/>) with its own enrolled certificate and mutual-TLS connection, its own shard, spend log and
/// policy guard; they share the ONNX Runtime sessions, a bounded pool of model-sized buffers and the tally
/// (<see cref="RoundResources"/>). Nothing of the protocol is reimplemented here: this class only builds and starts them.
/// </summary>
public sealed partial class SimulatedPopulation : IDisposable
{
    private readonly List<(ParticipantWorker Worker, RoundExecutor Executor, SerilogLoggerFactory Loggers, string Id)> _members = [];
    private readonly SerilogLoggerFactory _rootLoggers;
    private readonly ILogger _log;

    private SimulatedPopulation(RoundResources resources, Serilog.ILogger logger)
    {
        Resources = resources;
        _rootLoggers = new SerilogLoggerFactory(logger);
        _log = _rootLoggers.CreateLogger("simulate");
    }

    public RoundResources Resources { get; }

    public int Count => _members.Count;

    /// <summary>Examples over every shard.</summary>
    public long Examples { get; private set; }

    /// <summary>
    /// Loads every member's credentials, shard and policy and opens its spend log; nothing is contacted yet.
    /// </summary>
    /// <param name="logger">Root of every member's log; each line carries the member's id as <c>Participant</c>.</param>
    /// <exception cref="InvalidDataException">A member's credentials, shard or policy is unusable; the message names it.</exception>
    public static SimulatedPopulation Load(IReadOnlyList<PopulationMember> members, SimulationOptions options, Serilog.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Coordinator.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidDataException(
                "A simulated population runs under the same security as real participants: give an https:// coordinator and an enrolled population.");
        }
        var resources = new RoundResources(new SharedTrainers(options.MaxTrainings), options.MaxTransfers);
        var population = new SimulatedPopulation(resources, logger);
        try
        {
            // Reading thousands of key files and shards is worth the cores; the members are then added in order.
            var loaded = new (ClientCredentials, Dataset, ParticipantPolicy, SpendLog)[members.Count];
            try
            {
                Parallel.For(0, members.Count, i => loaded[i] = LoadMember(members[i], options));
            }
            catch (AggregateException e) when (e.InnerExceptions[0] is InvalidDataException invalid)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(invalid);
            }
            var encoders = UpdateEncoders.Default();
            for (var i = 0; i < members.Count; i++)
            {
                population.Add(loaded[i], options, encoders, logger);
            }
            return population;
        }
        catch
        {
            population.Dispose();
            throw;
        }
    }

    /// <exception cref="InvalidDataException">The member's credentials, shard or policy is unusable; the message names it.</exception>
    private static (ClientCredentials, Dataset, ParticipantPolicy, SpendLog) LoadMember(PopulationMember member, SimulationOptions options)
    {
        try
        {
            return (ClientCredentials.Load(member.CredentialsDirectory),
                LocalData.Load(member.DataPath, options.LabelColumn),
                member.PolicyPath is null ? options.Policy : ParticipantPolicyFile.Load(member.PolicyPath),
                SpendLog.Open(member.SpendLogPath));
        }
        catch (Exception e) when (e is IOException or ArgumentException or InvalidDataException)
        {
            throw new InvalidDataException($"Participant {member.CredentialsDirectory} with shard {member.DataPath}: {e.Message}", e);
        }
    }

    private void Add(
        (ClientCredentials Credentials, Dataset Data, ParticipantPolicy Policy, SpendLog SpendLog) member, SimulationOptions options,
        IReadOnlyList<IUpdateEncoder> encoders, Serilog.ILogger logger)
    {
        var (credentials, data, policy, spendLog) = member;
        var identity = credentials.Identity;
        if (identity.Role != Roles.Participant)
        {
            throw new InvalidDataException($"The certificate in '{credentials.Directory}' is for a {identity.Role}, not a participant.");
        }
        if (data.Count == 0)
        {
            throw new InvalidDataException($"The shard of '{identity.Name}' holds no examples.");
        }
        var settings = new ParticipantSettings(options.Coordinator, identity.Name, TimeSpan.FromSeconds(10), TrainingThreads: 1, credentials);
        var loggers = new SerilogLoggerFactory(logger.ForContext("Participant", identity.Name));
        var executor = new RoundExecutor(settings, data, encoders, loggers.CreateLogger<RoundExecutor>(),
            new PolicyGuard(policy, identity.Name), spendLog, resources: Resources);
        var worker = new ParticipantWorker(settings, data.Count, executor, loggers.CreateLogger<ParticipantWorker>());
        _members.Add((worker, executor, loggers, identity.Name));
        Examples += data.Count;
    }

    /// <summary>
    /// Starts every member (a few at a time, so the coordinator is not asked for thousands of TLS handshakes in the same
    /// millisecond) and runs until <paramref name="ct"/> is cancelled. A member the coordinator refuses (revoked, say)
    /// stops, is logged and counted; the others carry on.
    /// </summary>
    /// <returns>How many members stopped because the coordinator refused them.</returns>
    public async Task<int> RunAsync(CancellationToken ct)
    {
        const int StartBatch = 25;
        var running = new List<Task<bool>>(_members.Count);
        for (var i = 0; i < _members.Count && !ct.IsCancellationRequested; i++)
        {
            var (worker, _, _, id) = _members[i];
            running.Add(Task.Run(() => RunMemberAsync(worker, id, ct), CancellationToken.None));
            if (i % StartBatch == StartBatch - 1)
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(20), ct);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
        var outcomes = await Task.WhenAll(running);
        return outcomes.Count(refused => refused);
    }

    private async Task<bool> RunMemberAsync(ParticipantWorker worker, string id, CancellationToken ct)
    {
        try
        {
            await worker.RunAsync(ct);
            return false;
        }
        catch (InvalidOperationException e)
        {
            LogMemberStopped(id, e.Message);
            return true;
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is OperationCanceledException or Grpc.Core.RpcException or HttpRequestException or IOException)
        {
            // Stopping: a call cut short by the stop surfaces as a cancellation or as an aborted HTTP/2 request.
            return false;
        }
    }

    public void Dispose()
    {
        foreach (var (_, executor, loggers, _) in _members)
        {
            executor.Dispose();
            loggers.Dispose();
        }
        Resources.Dispose();
        _rootLoggers.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Participant {ParticipantId} stopped: {Reason}")]
    private partial void LogMemberStopped(string participantId, string reason);
}
