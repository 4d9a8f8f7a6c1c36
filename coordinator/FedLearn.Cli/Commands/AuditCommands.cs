using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FedLearn.Cli.Audit;
using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.Privacy.Audit;
using FedLearn.Protos.V1;
using Google.Protobuf;
using Grpc.Core;

namespace FedLearn.Cli.Commands;

/// <summary>
/// <c>fedlearn audit run|show|export|verify|power</c>: the empirical privacy audit (docs/audit.md). Exit codes: 0 pass, 6 the audit flagged
/// the session or the report does not verify, and the usual 1–4 and 7.
/// </summary>
internal static class AuditCommands
{
    private static readonly Argument<string> SessionId = new("session") { Description = "The session id." };

    /// <summary>The AuditReport message in proto3 JSON with its .proto field names, for `audit export`.</summary>
    private static readonly JsonFormatter ExportFormatter = new(JsonFormatter.Settings.Default.WithPreserveProtoFieldNames(true));

    public static Command Create()
    {
        var audit = new Command("audit", "Empirical privacy audit: canary participants measure a lower estimate of ε beside the ledger's bound.");
        audit.Add(RunCommand());
        audit.Add(ShowCommand());
        audit.Add(ExportCommand());
        audit.Add(VerifyCommand());
        audit.Add(PowerCommand());
        return audit;
    }

    private static Command RunCommand()
    {
        var config = new Option<FileInfo>("--config") { Description = "Session configuration (JSON) with a `privacy` block.", Required = true };
        var canaries = new Option<int>("--canaries") { Description = "K: canary participants to insert (2 to 1000).", Required = true };
        var unseen = new Option<int?>("--unseen") { Description = "K': canaries drawn but never inserted, the empirical null (0, or 2 to 100000; default K)." };
        var confidence = new Option<double>("--confidence") { Description = "Of the lower confidence limits (0.8 to 0.999).", DefaultValueFactory = _ => 0.95 };
        var plot = new Option<FileInfo?>("--plot") { Description = "Where to write the PNG plot (default audit-SESSION.png)." };
        var timeout = new Option<int>("--timeout-minutes") { Description = "Give up on the session after this long.", DefaultValueFactory = _ => 600 };
        var command = new Command("run", "Create the session, enroll K canary participants, run it to its end, then measure and store the signed audit report.")
        {
            config, canaries, unseen, confidence, plot, timeout,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var file = parse.GetRequiredValue(config);
            if (!file.Exists)
            {
                throw new FileNotFoundException($"No configuration file at '{file.FullName}'.");
            }
            var sessionConfig = SessionConfigFile.Parse(await File.ReadAllTextAsync(file.FullName, ct));
            if (sessionConfig.Privacy is null || sessionConfig.Model is null)
            {
                throw new ArgumentException("audit run needs a session with a `model` and a participant-level `privacy` block: without privacy there is no ε to audit.");
            }
            var k = parse.GetValue(canaries);
            var kPrime = parse.GetValue(unseen) ?? k;
            if (k is < 2 or > 1000)
            {
                throw new ArgumentException($"--canaries must be 2 to 1000; got {k}.");
            }
            if (kPrime is < 0 or 1 or > CanaryAudit.MaxCanaries)
            {
                throw new ArgumentException($"--unseen must be 0 or 2 to {CanaryAudit.MaxCanaries}; got {kPrime}.");
            }
            if (!(parse.GetValue(confidence) is >= 0.8 and <= 0.999))
            {
                throw new ArgumentException($"--confidence must be in [0.8, 0.999]; got {parse.GetValue(confidence)}.");
            }
            var json = parse.GetValue(CoordinatorConnection.Json);
            var address = CoordinatorConnection.Address(parse);
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var admin = CoordinatorConnection.Admin(channel);
            // The canaries' directions come from this seed; it stays in this process until the session has ended. The session
            // is created with a commitment to it, so the coordinator accepts a report of exactly these canaries and no other.
            var seed = AuditRandom.NewSeed();
            sessionConfig.Privacy.AuditCommitment = ByteString.CopyFrom(AuditCommitment.Compute(seed, k, kPrime, parse.GetValue(confidence)));
            var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = sessionConfig }, cancellationToken: ct);
            var sessionId = created.SessionId;
            Progress(json, $"session {sessionId} created; enrolling {k} canary participants");
            await using (var fleet = await CanaryFleet.EnrollAsync(CoordinatorConnection.Identity(channel), address, sessionId, seed, k, sessionConfig, ct))
            {
                await fleet.WaitConnectedAsync(TimeSpan.FromMinutes(2), ct);
                Progress(json, $"{k} canaries connected; starting the session");
                await admin.StartSessionAsync(new SessionRequest { SessionId = sessionId }, cancellationToken: ct);
                using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
                limit.CancelAfter(TimeSpan.FromMinutes(parse.GetValue(timeout)));
                using var watch = admin.WatchSession(new SessionRequest { SessionId = sessionId }, cancellationToken: limit.Token);
                SessionStatus? last = null;
                await foreach (var status in watch.ResponseStream.ReadAllAsync(limit.Token))
                {
                    last = status;
                }
                Progress(json, $"session {sessionId} ended: {last?.State}, {last?.CompletedRounds} rounds; measuring the canaries");
                var request = new RecordAuditRequest
                {
                    SessionId = sessionId, CanarySeed = ByteString.CopyFrom(seed), Canaries = k, Unseen = kPrime, Confidence = parse.GetValue(confidence),
                };
                request.CanaryIds.Add(fleet.Ids);
                var report = await new AuditService.AuditServiceClient(channel).RecordAuditAsync(request, cancellationToken: ct);
                return await PrintAsync(parse, report, admin, null, parse.GetValue(plot), ct);
            }
        }));
        return command;
    }

    private static Command ShowCommand()
    {
        var plot = new Option<FileInfo?>("--plot") { Description = "Where to write the PNG plot (default audit-SESSION.png)." };
        var publicKey = new Option<string?>("--public-key") { Description = "The ledger key (base64) you pinned; default: the coordinator's signing key from the session status." };
        var command = new Command("show", "Print a session's signed audit report, check its signature and its link to the ledger, and plot the canaries.")
        {
            SessionId, plot, publicKey,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var id = parse.GetRequiredValue(SessionId);
            var report = await new AuditService.AuditServiceClient(channel).GetAuditAsync(new GetAuditRequest { SessionId = id }, cancellationToken: ct);
            return await PrintAsync(parse, report, CoordinatorConnection.Admin(channel), parse.GetValue(publicKey), parse.GetValue(plot), ct);
        }));
        return command;
    }

    private static async Task<int> PrintAsync(
        ParseResult parse, AuditReport stored, AdminService.AdminServiceClient admin, string? pinnedKey, FileInfo? plot, CancellationToken ct)
    {
        var report = AuditReportDocument.Deserialize(stored.ReportJson);
        var expectedKey = pinnedKey ?? (await admin.GetSessionStatusAsync(new SessionRequest { SessionId = stored.SessionId }, cancellationToken: ct)).LedgerPublicKey;
        var ledger = LedgerJson.Deserialize((await admin.GetLedgerAsync(new SessionRequest { SessionId = stored.SessionId }, cancellationToken: ct)).Json);
        var plotPath = (plot ?? new FileInfo($"audit-{stored.SessionId}.png")).FullName;
        return Print(parse, stored, report, ledger.Header, AuditReportCheck.Problems(stored, report, expectedKey, ledger), plotPath, recomputed: null);
    }

    /// <summary>
    /// What <c>audit verify --models</c> recomputed the figures from: how many models, the initial model's hash, and whether
    /// the ledger header anchors it.
    /// </summary>
    private sealed record Recomputation(int Models, string InitialSha256, bool InitialAnchored);

    private static int Print(
        ParseResult parse, AuditReport stored, AuditReportDocument report, LedgerHeader header, List<string> problems, string? plotPath, Recomputation? recomputed)
    {
        var commitment = AuditReportCheck.CommitmentLine(report, header);
        if (plotPath is not null)
        {
            AuditPlot.Save(report, plotPath);
        }
        if (parse.GetValue(CoordinatorConnection.Json))
        {
            Console.WriteLine(JsonSerializer.Serialize(new
            {
                session_id = stored.SessionId,
                verdict = report.Verdict,
                verifies = problems.Count == 0,
                problems,
                recomputed_from_models = recomputed?.Models,
                initial_model_sha256 = recomputed?.InitialSha256,
                initial_model_anchored = recomputed?.InitialAnchored,
                audit_commitment_anchored = header.AuditCommitment,
                plot = plotPath,
                signature = stored.Signature,
                public_key = stored.PublicKey,
                report = JsonDocument.Parse(stored.ReportJson).RootElement,
            }, AuditReportDocument.Json));
        }
        else
        {
            Console.WriteLine(AuditReportText.Describe(report, problems, plotPath, commitment));
            if (recomputed is not null && problems.Count == 0)
            {
                Console.WriteLine($"recomputed from the {recomputed.Models} released models (rounds 0 to {recomputed.Models - 1}): every score, ε_est and verdict matches the report.");
                Console.WriteLine(recomputed.InitialAnchored
                    ? $"initial model sha256 {recomputed.InitialSha256}: the one the ledger header anchors."
                    : $"initial model sha256 {recomputed.InitialSha256}: the ledger header predates anchoring it; check it is the model the session was created from.");
            }
        }
        return problems.Count == 0 && report.Verdict == AuditReportDocument.Pass ? ExitCodes.Success : ExitCodes.VerificationFailed;
    }

    private static Command ExportCommand()
    {
        var output = new Option<FileInfo>("--out") { Description = "The file to write (JSON).", Required = true };
        var command = new Command("export", "Write the session's signed audit report to a file, for `audit verify` offline.") { SessionId, output };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            using var channel = CoordinatorConnection.OpenChannel(parse);
            var id = parse.GetRequiredValue(SessionId);
            var report = await new AuditService.AuditServiceClient(channel).GetAuditAsync(new GetAuditRequest { SessionId = id }, cancellationToken: ct);
            var file = parse.GetRequiredValue(output);
            // The AuditReport message in proto3 JSON with its .proto field names: report_json keeps the signed text byte for byte.
            await File.WriteAllTextAsync(file.FullName, ExportFormatter.Format(report), ct);
            await Console.Error.WriteLineAsync($"Wrote the audit report of session {id} to {file.FullName}");
            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command VerifyCommand()
    {
        var file = new Argument<FileInfo>("report") { Description = "The report `audit export` wrote." };
        var ledgerFile = new Option<FileInfo>("--ledger") { Description = "The session's ledger, from `ledger export --format json`.", Required = true };
        var models = new Option<FileInfo[]>("--models")
        {
            Description = "The released models of rounds 0 to T (`model export --initial` and `--round R`), in any order: recompute every figure from them.",
            AllowMultipleArgumentsPerToken = true,
        };
        var publicKey = new Option<string?>("--public-key") { Description = "The ledger key (base64) obtained out of band; default: the key in the ledger export's header." };
        var plot = new Option<FileInfo?>("--plot") { Description = "Also write the PNG plot to this file." };
        var command = new Command("verify",
            "Check an exported audit report offline, with no coordinator: its signature, its link to the exported ledger (which must verify), and with --models every figure recomputed.")
        {
            file, ledgerFile, models, publicKey, plot,
        };
        command.SetAction((parse, ct) => CliErrors.Run(async () =>
        {
            var stored = AuditReport.Parser.ParseJson(await ReadInputAsync(parse.GetRequiredValue(file), "audit report", ct));
            var report = AuditReportDocument.Deserialize(stored.ReportJson);
            var ledger = LedgerJson.Deserialize(await ReadInputAsync(parse.GetRequiredValue(ledgerFile), "ledger export", ct));
            var key = parse.GetValue(publicKey) ?? ledger.Header.PublicKey;
            var problems = AuditReportCheck.Problems(stored, report, key, ledger);
            var ledgerReport = await Task.Run(() => LedgerVerifier.Verify(ledger, key), ct);
            if (!ledgerReport.IsValid)
            {
                problems.Add($"the ledger export does not verify ({ledgerReport.Discrepancies.Count} discrepancies; `fedlearn ledger verify --file` lists them)");
            }
            Recomputation? recomputed = null;
            if (parse.GetValue(models) is { Length: > 0 } modelFiles)
            {
                var (released, initialSha256) = ReleasedModelFiles.Load(modelFiles, ledger, report.Rounds);
                problems.AddRange(await Task.Run(() => AuditRecomputation.Problems(report, released), ct));
                recomputed = new(released.Count, initialSha256, ledger.Header.InitialModelSha256 is not null);
            }
            return Print(parse, stored, report, ledger.Header, problems, parse.GetValue(plot)?.FullName, recomputed);
        }));
        return command;
    }

    private static async Task<string> ReadInputAsync(FileInfo file, string what, CancellationToken ct) =>
        file.Exists ? await File.ReadAllTextAsync(file.FullName, ct) : throw new ArgumentException($"No {what} at '{file.FullName}'.");

    private static void Progress(bool json, string line)
    {
        if (!json)
        {
            Console.Error.WriteLine(line);
        }
    }

    private static Command PowerCommand()
    {
        var epsilons = new Option<double[]>("--epsilon") { Description = "Ledger ε values to simulate.", DefaultValueFactory = _ => [1, 4, 16], AllowMultipleArgumentsPerToken = true };
        var canaries = new Option<int[]>("--canaries") { Description = "K values to simulate (K' = K unseen).", DefaultValueFactory = _ => [50, 200], AllowMultipleArgumentsPerToken = true };
        var rounds = new Option<int>("--rounds") { DefaultValueFactory = _ => 10, Description = "Rounds T." };
        var rate = new Option<double>("--sampling-rate") { DefaultValueFactory = _ => 1.0, Description = "q: each canary's chance to join a round." };
        var dimension = new Option<int>("--dimension") { DefaultValueFactory = _ => 5000, Description = "Model dimension d." };
        var trials = new Option<int>("--trials") { DefaultValueFactory = _ => 20, Description = "Simulated sessions per setting." };
        var delta = new Option<double>("--delta") { DefaultValueFactory = _ => 1e-5 };
        var command = new Command("power",
            "Simulate audits of central-noise DP-FedAvg in memory (canaries only) and print how often honest sessions are flagged and how often a ledger understating ε by a factor of 2 is.")
        {
            epsilons, canaries, rounds, rate, dimension, trials, delta,
        };
        command.SetAction((parse, ct) => CliErrors.Run(() =>
        {
            var q = parse.GetValue(rate);
            var t = parse.GetValue(rounds);
            var d = parse.GetValue(delta);
            Console.WriteLine($"{"ε_bound",8} {"K",6} {"σ honest",9} {"σ half-ε",9} {"honest flagged",15} {"understated flagged",20} {"mean ε_est final/all (honest)",30} {"(understated)",16}");
            foreach (var epsilon in parse.GetRequiredValue(epsilons))
            {
                // The ledger claims ε; an understating coordinator adds the noise of a session whose true ε is 2ε.
                var honest = NoiseCalibrator.CalibrateNoiseMultiplier(epsilon, d, q, t, AccountantKind.Pld);
                var understated = NoiseCalibrator.CalibrateNoiseMultiplier(2 * epsilon, d, q, t, AccountantKind.Pld);
                foreach (var k in parse.GetRequiredValue(canaries))
                {
                    var (honestFlags, honestFinal, honestAll) = Simulate(honest);
                    var (cheatFlags, cheatFinal, cheatAll) = Simulate(understated);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{epsilon,8:G4} {k,6} {honest,9:F3} {understated,9:F3} {honestFlags,15:P0} {cheatFlags,20:P0} {$"{honestFinal:F2} / {honestAll:F2}",30} {$"{cheatFinal:F2} / {cheatAll:F2}",16}"));

                    (double Flagged, double Final, double All) Simulate(double sigma)
                    {
                        var flagged = 0;
                        double final = 0, all = 0;
                        var n = parse.GetValue(trials);
                        for (var i = 0; i < n; i++)
                        {
                            ct.ThrowIfCancellationRequested();
                            var threats = AuditSimulation.Audit(AuditRandom.NewSeed(), parse.GetValue(dimension), k, k, t, q, sigma, d, 0.95, epsilon);
                            flagged += threats.Any(x => x.Flagged) ? 1 : 0;
                            final += threats[0].EpsilonEstimate / n;
                            all += threats[1].EpsilonEstimate / n;
                        }
                        return ((double)flagged / n, final, all);
                    }
                }
            }
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
