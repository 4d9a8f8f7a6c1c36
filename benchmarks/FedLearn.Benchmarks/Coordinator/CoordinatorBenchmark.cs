using System.Diagnostics;
using FedLearn.Identity;
using FedLearn.Protos.V1;
using Grpc.Core;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// Runs the coordinator benchmark: the real coordinator in its own process, N enrolled participants on their own
/// connections, R plain rounds of the demo MLP; then the floor, measured the same way in the same run.
/// </summary>
internal static class CoordinatorBenchmark
{
    /// <summary>The demo MLP of issue 11: 784-256-10, 203,530 parameters.</summary>
    public static ModelSpec DemoModel => new() { Kind = "mlp", InputSize = 784, NumClasses = 10, HiddenSizes = { 256 }, Activation = "relu" };

    public const int DemoParameters = (784 * 256) + 256 + (256 * 10) + 10;

    public static async Task<CoordinatorBenchResult> RunAsync(CoordinatorBenchOptions options, TextWriter progress, CancellationToken ct)
    {
        var work = Directory.CreateTempSubdirectory("fedlearn-bench-").FullName;
        try
        {
            progress.WriteLine($"Starting the coordinator ({options.CoordinatorDll}); log: {Path.Combine(work, "coordinator.log")}");
            var payload = new UpdatePayload(DemoParameters, seed: 11);
            CoordinatorRun coordinatorRun;
            System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates;
            string federation;
            await using (var coordinator = await CoordinatorUnderTest.StartAsync(options.CoordinatorDll, options.Database, options.TestData, work, ct))
            {
                var clock = Stopwatch.StartNew();
                var names = BulkEnrollment.Names("bench", options.Participants);
                certificates = BulkEnrollment.IssueParticipants(coordinator.Ca, names, TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
                progress.WriteLine($"Enrolled {names.Count} participants in {clock.Elapsed.TotalSeconds:0.0} s");
                coordinatorRun = await RunCoordinatorAsync(coordinator, names, certificates, payload, options, progress, ct);
                federation = CopyFederation(coordinator.FederationDirectory, work);
            }
            // Printed before the floor runs, so a floor that fails does not lose the coordinator's figures.
            progress.WriteLine(new CoordinatorBenchResult(options, Environment.ProcessorCount, coordinatorRun, null, double.NaN).ToText());
            FloorRun? floor = null;
            if (options.Floor)
            {
                floor = await RunFloorAsync(federation, work, certificates, payload, options, progress, ct);
            }
            return new CoordinatorBenchResult(options, Environment.ProcessorCount, coordinatorRun, floor, SumFloor(payload, options.PerRound));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The floor server reuses the federation's server certificate; the coordinator's copy is deleted with it.</summary>
    private static string CopyFederation(string federation, string work)
    {
        var copy = Path.Combine(work, "floor-federation");
        Directory.CreateDirectory(copy);
        foreach (var file in new[] { FederationSetup.CaCertificate, FederationSetup.CaKey, FederationSetup.ServerCertificate, FederationSetup.ServerKey })
        {
            File.Copy(Path.Combine(federation, file), Path.Combine(copy, file));
        }
        return copy;
    }

    private static async Task<CoordinatorRun> RunCoordinatorAsync(
        CoordinatorUnderTest coordinator, IReadOnlyList<string> names, System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates,
        UpdatePayload payload, CoordinatorBenchOptions options, TextWriter progress, CancellationToken ct)
    {
        var stats = new BenchStats();
        var participants = names.Select((name, i) => new BenchParticipant(name, coordinator.OpenChannel(certificates[i]), payload, stats)).ToList();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var streams = new List<Task>();
        try
        {
            var clock = Stopwatch.StartNew();
            await Parallel.ForEachAsync(participants, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
                async (p, token) => await p.RegisterAsync(token));
            progress.WriteLine($"Registered {participants.Count} participants in {clock.Elapsed.TotalSeconds:0.0} s");
            streams.AddRange(participants.Select(p => Task.Run(() => p.RunWorkStreamAsync(stop.Token), ct)));
            await Task.WhenAll(participants.Select(p => p.Connected)).WaitAsync(TimeSpan.FromMinutes(Math.Max(5, participants.Count / 100)), ct);
            progress.WriteLine($"{participants.Count} work streams open after {clock.Elapsed.TotalSeconds:0.0} s");

            var pid = coordinator.ProcessId;
            var (residentConnected, _) = ProcessMeter.Memory(pid);
            await using var cpu = new CpuTimeline(pid, TimeSpan.FromMilliseconds(20));
            var cpuBefore = ProcessMeter.CpuSeconds(pid);
            var status = await coordinator.Admin.CreateSessionAsync(new CreateSessionRequest
            {
                Config = new SessionConfig
                {
                    Name = "bench",
                    Model = DemoModel,
                    Rounds = options.Rounds,
                    ParticipantsPerRound = options.PerRound,
                    MinParticipants = options.PerRound,
                    Training = new LocalTrainingConfig { LocalEpochs = 1, BatchSize = 16, LearningRate = 0.1 },
                    ServerLearningRate = 1.0,
                    Seed = 1,
                    RoundDeadlineSeconds = options.DeadlineSeconds,
                },
            }, cancellationToken: ct);
            var sessionId = status.SessionId;
            var startedAt = DateTimeOffset.UtcNow;
            await coordinator.Admin.StartSessionAsync(new SessionRequest { SessionId = sessionId }, cancellationToken: ct);
            var watchErrors = new List<string>();
            var final = await WatchAsync(coordinator.Admin, sessionId, progress, TimeSpan.FromSeconds((options.DeadlineSeconds + 30) * options.Rounds), watchErrors, ct);
            var cpuAfter = ProcessMeter.CpuSeconds(pid);
            var (residentEnd, peak) = ProcessMeter.Memory(pid);

            var rounds = new List<CoordinatorRound>();
            var previousEnd = startedAt;
            for (var r = 1; r <= final.CompletedRounds; r++)
            {
                var details = await coordinator.Admin.GetRoundAsync(new GetRoundRequest { SessionId = sessionId, Round = r }, cancellationToken: ct);
                var (opened, committed) = (details.StartedAt.ToDateTimeOffset(), details.CompletedAt.ToDateTimeOffset());
                var counters = stats.Round(r);
                rounds.Add(new CoordinatorRound(
                    r, details.Attempt, (committed - previousEnd).TotalSeconds, (committed - opened).TotalSeconds,
                    cpu.At(committed) - cpu.At(previousEnd), details.ParticipantsSelected, details.ParticipantsAggregated,
                    counters.Downloads, counters.Accepted));
                previousEnd = committed;
            }
            var failures = participants.Count == 0 ? [] : Enumerable.Range(1, options.Rounds)
                .SelectMany(r => stats.Round(r).Failures.Select(f => (Round: r, f.Key, f.Value.Count, f.Value.Example)))
                .Select(f => $"round {f.Round}: {f.Count} × {f.Key} (e.g. {f.Example})").ToList();
            return new CoordinatorRun(final.State.ToString(), final.Message, rounds, cpuAfter - cpuBefore, residentConnected, residentEnd, peak, failures,
                [.. stats.StreamEnds.Select(e => $"{e.Value} × {e.Key}")], watchErrors);
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(streams).WaitAsync(TimeSpan.FromSeconds(30), CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
            foreach (var p in participants)
            {
                p.Channel.Dispose();
            }
        }
    }

    /// <summary>
    /// Follows the session until it ends. A status stream that fails (the coordinator too busy to answer, say) is reopened
    /// after a second and the failure is counted, because that is one of the things being measured.
    /// </summary>
    private static async Task<SessionStatus> WatchAsync(
        AdminService.AdminServiceClient admin, string sessionId, TextWriter progress, TimeSpan timeout, List<string> watchErrors, CancellationToken ct)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        SessionStatus? last = null;
        while (true)
        {
            try
            {
                using var call = admin.WatchSession(new SessionRequest { SessionId = sessionId }, cancellationToken: limit.Token);
                await foreach (var status in call.ResponseStream.ReadAllAsync(limit.Token))
                {
                    if (last is null || status.CompletedRounds != last.CompletedRounds)
                    {
                        progress.WriteLine($"  {DateTime.UtcNow:HH:mm:ss} round {status.CompletedRounds}/{status.TotalRounds} committed ({status.State})");
                    }
                    last = status;
                }
                return last ?? throw new InvalidOperationException("The session's status stream ended before it said anything.");
            }
            catch (Exception e) when (limit.IsCancellationRequested && !ct.IsCancellationRequested && e is RpcException or OperationCanceledException)
            {
                // The session did not finish in time (a stalled round is one of the outcomes measured): report how far it got.
                watchErrors.Add($"{DateTime.UtcNow:HH:mm:ss} gave up after {timeout.TotalSeconds:0} s: the session did not finish");
                return await admin.GetSessionStatusAsync(new SessionRequest { SessionId = sessionId }, cancellationToken: ct);
            }
            catch (RpcException e) when (!limit.IsCancellationRequested)
            {
                watchErrors.Add($"{DateTime.UtcNow:HH:mm:ss} {e.StatusCode}: {e.Status.Detail}");
                progress.WriteLine($"  status stream failed ({e.StatusCode}: {e.Status.Detail}); reopening");
                await Task.Delay(1000, limit.Token);
            }
        }
    }

    private static async Task<FloorRun> RunFloorAsync(
        string federation, string work, System.Security.Cryptography.X509Certificates.X509Certificate2[] certificates, UpdatePayload payload,
        CoordinatorBenchOptions options, TextWriter progress, CancellationToken ct)
    {
        using var ca = CertificateAuthority.Load(Path.Combine(federation, FederationSetup.CaCertificate), Path.Combine(federation, FederationSetup.CaKey));
        var (process, address) = await FloorServer.StartAsync(federation, DemoParameters, Path.Combine(work, "floor.log"), ct);
        var stats = new BenchStats();
        var participants = certificates.Take(options.PerRound)
            .Select((c, i) => new BenchParticipant($"floor-{i}", CoordinatorUnderTest.OpenChannel(address, ca, c), payload, stats)).ToList();
        try
        {
            progress.WriteLine($"Floor: {participants.Count} participants against a bare gRPC server");
            // Connections are opened (TLS handshakes) outside the timed rounds, as the coordinator's were by registration.
            await Parallel.ForEachAsync(participants, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = ct },
                async (p, token) => await p.RunRoundAsync("warm-up", 1, 1, DemoParameters, token));
            var rounds = new List<FloorRound>();
            for (var r = 1; r <= options.Rounds; r++)
            {
                var cpuBefore = ProcessMeter.CpuSeconds(process.Id);
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(participants.Select(p => Task.Run(() => p.RunRoundAsync("floor", r + 1, 1, DemoParameters, ct), ct)));
                rounds.Add(new FloorRound(r, clock.Elapsed.TotalSeconds, ProcessMeter.CpuSeconds(process.Id) - cpuBefore, stats.Round(r + 1).Accepted));
            }
            return new FloorRun(rounds, ProcessMeter.Memory(process.Id).Peak);
        }
        finally
        {
            foreach (var p in participants)
            {
                p.Channel.Dispose();
            }
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            process.Dispose();
        }
    }

    /// <summary>The arithmetic floor: summing K updates into one double accumulator in memory, one thread (best of 3).</summary>
    private static double SumFloor(UpdatePayload payload, int count)
    {
        var sum = new double[payload.ParameterCount];
        var best = double.PositiveInfinity;
        for (var run = 0; run < 3; run++)
        {
            Array.Clear(sum);
            var clock = Stopwatch.StartNew();
            for (var k = 0; k < count; k++)
            {
                var values = payload.Values;
                for (var i = 0; i < sum.Length; i++)
                {
                    sum[i] += 20.0 * values[i];
                }
            }
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return best;
    }
}
