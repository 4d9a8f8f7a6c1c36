using System.Text.Json;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.Protos.V1;

namespace FedLearn.IntegrationTests;

/// <summary>
/// A data owner's limit on ε against the coordinator itself (policy <c>max_epsilon_against_coordinator</c>): in a
/// secure-aggregation session the daemon composes, without amplification by sampling, every attempt it contributed a
/// masked input to, records the figure in its spend log, and declines before training the attempt that would cross the
/// limit; a central-noise session, which gives no guarantee against the coordinator, is declined outright.
/// </summary>
public sealed class CoordinatorLimitPolicyTests : IAsyncLifetime
{
    private const double NoiseMultiplier = 1.0;
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 3, examplesEach: 100, idPrefix: "unlimited");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task LimitAgainstCoordinator_SecureRoundsUpToTheLimitThenDeclined_CentralNoiseDeclined()
    {
        // σ against the coordinator is what the certainly honest shares of the minimum survivors' noise carry (s_min = 3 of
        // 4, none assumed corrupt in a cohort of 4), sized to be σ over the rounding-inflated sensitivity. Two attempts at that σ fit under the limit, a third does not (the gap is far
        // wider than the rounding of the grid noise).
        var rdp = Accountants.Create(AccountantKind.Rdp);
        double Epsilon(int attempts) => rdp.GetEpsilon([new SubsampledGaussianStep(1.0, NoiseMultiplier, attempts)], 1e-5);
        var limit = (Epsilon(2) + Epsilon(3)) / 2;
        var directory = _federation.DataDirectory;
        var policy = Path.Combine(directory, "policy.json");
        var spendLog = Path.Combine(directory, "limited-spent.jsonl");
        await File.WriteAllTextAsync(policy, $$"""{ "max_epsilon_per_session": 100, "max_delta": 1e-5, "max_epsilon_against_coordinator": {{limit.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}} }""", Ct);
        using var limited = new ParticipantProcess(_federation.Coordinator.Address, "limited", Path.Combine(directory, "participant-0.csv"),
            "--policy", policy, "--spend-log", spendLog);
        var admin = _federation.Coordinator.Admin;
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 4, Ct);

        var secure = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 4, min: 2, deadlineSeconds: 20);
        // ρ = 0: a cohort this small cannot open beside 5% colluders of the population (c(n) ≥ its threshold).
        secure.Privacy = new PrivacyConfig { EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = NoiseMultiplier, ClipNorm = 1, SamplingRate = 1.0, ColluderFraction = 0 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = secure }, cancellationToken: Ct);
        Assert.True(created.Privacy.Parameters.SecureAggregation);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);
        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(150));

        Assert.Equal(SessionState.Completed, final.State);
        var lines = File.ReadAllLines(spendLog).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([1, 2], lines.Select(l => l.GetProperty("round").GetInt32()));
        var sigmas = lines.Select(l => l.GetProperty("coordinator_noise_multiplier").GetDouble()).ToList();
        var epsilons = lines.Select(l => l.GetProperty("epsilon_against_coordinator").GetDouble()).ToList();
        Assert.All(sigmas, s => Assert.InRange(s, NoiseMultiplier * (1 - 1e-9), NoiseMultiplier * 1.01));
        Assert.Equal(rdp.GetEpsilon([.. sigmas.Select(s => new SubsampledGaussianStep(1.0, s))], 1e-5), epsilons[1], 9);
        Assert.True(epsilons[0] < epsilons[1] && epsilons[1] <= limit, string.Join(", ", epsilons));
        // Against everyone else the same attempts are amplified by nothing here (q = 1), but the figure is kept apart.
        Assert.All(lines, l => Assert.Equal(JsonValueKind.Null, l.GetProperty("no_guarantee_against_coordinator").ValueKind));
        Assert.Contains("round 3 attempt 1: declined by the local privacy policy", limited.Output, StringComparison.Ordinal);
        Assert.Contains("> max_epsilon_against_coordinator=", limited.Output, StringComparison.Ordinal);
        var round3 = await admin.GetRoundAsync(new GetRoundRequest { SessionId = created.SessionId, Round = 3 }, cancellationToken: Ct);
        Assert.Equal(("committed", 4, 3), (round3.Outcome, round3.ParticipantsSelected, round3.ParticipantsAggregated));
        // One charge per attempt, fixed when it opened: the ledger records exactly the σ this participant derived from its
        // task for each attempt it contributed to (not σ at the survivors), so the ledger's worst case against the
        // coordinator, over every charged step, is never below the participant's own figure.
        var ledger = LedgerJson.Deserialize((await admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        Assert.Equal(sigmas, ledger.Entries.Take(2).Select(e => e.NoiseMultiplier!.Value));
        Assert.Equal(epsilons[1], ledger.Entries[1].EpsilonAgainstCoordinatorRdp!.Value, 9);
        Assert.True(ledger.Entries[2].EpsilonAgainstCoordinatorRdp > epsilons[1]);

        var spent = await BuiltTool.RunParticipantToolAsync("spent", "--spend-log", spendLog);
        Assert.True(spent.ExitCode == 0, spent.Output);
        Assert.Contains("ε AGAINST COORDINATOR", spent.Output, StringComparison.Ordinal);
        Assert.Contains(epsilons[1].ToString("G4", System.Globalization.CultureInfo.InvariantCulture), spent.Output, StringComparison.Ordinal);

        // Central noise: the coordinator sees every clipped update, so the limited daemon takes no part at all.
        var central = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 1, perRound: 4, min: 2, deadlineSeconds: 6);
        central.Privacy = new PrivacyConfig { EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = NoiseMultiplier, ClipNorm = 1, SamplingRate = 1.0, CentralNoise = true };
        var centralSession = await admin.CreateSessionAsync(new CreateSessionRequest { Config = central }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = centralSession.SessionId }, cancellationToken: Ct);
        Assert.Equal(SessionState.Completed, (await Sessions.WatchUntilFinishedAsync(admin, centralSession.SessionId, TimeSpan.FromSeconds(90))).State);
        Assert.Contains("no guarantee against the coordinator (central noise", limited.Output, StringComparison.Ordinal);
        Assert.Equal(2, File.ReadAllLines(spendLog).Length);
    }
}
