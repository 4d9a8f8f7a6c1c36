using System.Text.Json;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Participant.Policy;
using FedLearn.Privacy;
using FedLearn.Protos.V1;

namespace FedLearn.IntegrationTests;

/// <summary>
/// Example-level DP over the real stack: participants train with DP-SGD, calibrate σ for their own dataset size so that
/// every planned round and an allowance of reruns fit the session's example-level budget, and record each round's example-level spend, separately
/// from the participant-level guarantee, in their own spend log; the coordinator's ledger records the same levels apart.
/// </summary>
public sealed class ExamplePrivacyTests : IAsyncLifetime
{
    private const double Budget = 2.0;
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 2, examplesEach: 200, idPrefix: "dpsgd");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task ExamplePrivateSession_ParticipantsCalibrateDpSgd_SpendLogStaysWithinTheBudget()
    {
        var spendLog = Path.Combine(_federation.DataDirectory, "spent.jsonl");
        using var recorder = new ParticipantProcess(_federation.Coordinator.Address, "recorder",
            Path.Combine(_federation.DataDirectory, "participant-0.csv"), "--spend-log", spendLog);
        var admin = _federation.Coordinator.Admin;
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 3, Ct);
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 3, perRound: 3, min: 3, deadlineSeconds: 30);
        config.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = Budget, Delta = 1e-5, ClipNorm = 1.0, ExpectedBatchSize = 25 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(90));

        Assert.Equal(SessionState.Completed, final.State);
        Assert.Equal(Budget, final.Config.ExamplePrivacy.EpsilonBudget);
        var lines = File.ReadAllLines(spendLog).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal([1, 2, 3], lines.Select(l => l.GetProperty("round").GetInt32()));
        var example = lines.Select(l => l.GetProperty("example")).ToList();
        var epsilons = example.Select(e => e.GetProperty("epsilon").GetDouble()).ToList();
        Assert.True(epsilons[0] < epsilons[1] && epsilons[1] < epsilons[2], string.Join(", ", epsilons));
        // σ was calibrated so that the three planned rounds and the rerun allowance spend (almost) exactly the budget.
        Assert.Equal([16, 32, 48], example.Select(e => e.GetProperty("total_steps").GetInt32())); // 2 epochs × 200/25 steps per round
        var (q, sigma) = (example[0].GetProperty("sampling_rate").GetDouble(), example[0].GetProperty("noise_multiplier").GetDouble());
        var rdp = Accountants.Create(AccountantKind.Rdp);
        var attempts = 3 + ExampleLevelAccounting.RerunAllowance(3);
        Assert.Equal(epsilons[2], rdp.GetEpsilon([new SubsampledGaussianStep(q, sigma, 48)], 1e-5), 9);
        Assert.InRange(rdp.GetEpsilon([new SubsampledGaussianStep(q, sigma, attempts * 16)], 1e-5), 0.99 * Budget, Budget);
        Assert.True(epsilons[2] < Budget);
        // The participant-level fields say this session has no client-level guarantee.
        Assert.All(lines, l => Assert.Equal("none", l.GetProperty("mechanism").GetString()));

        // The coordinator's ledger says the same, level by level: no participant-level guarantee, the declared example
        // level, and per round the largest ε the participants reported. All three hold 200 records and calibrate alike,
        // so that largest report is the recorder's own figure from its spend log.
        var ledger = LedgerJson.Deserialize((await admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        Assert.False(ledger.Header.HasParticipantLevel);
        Assert.Equal(Budget, ledger.Header.ExampleLevel!.EpsilonBudget);
        Assert.Equal("rdp", ledger.Header.ExampleLevel.Accountant);
        Assert.All(ledger.Entries, e => Assert.Equal(LedgerMechanisms.None, e.Mechanism));
        Assert.Equal(ledger.Checkpoints.Select(c => c.Sha256), ledger.Entries.Select(e => e.ModelSha256));
        Assert.Equal(epsilons, ledger.Entries.Select(e => e.ExampleEpsilonMax!.Value), new ToleranceComparer(1e-12));
        Assert.Equal(epsilons[2], final.ExampleEpsilonReported, 12);
        var report = LedgerVerifier.Verify(ledger, final.LedgerPublicKey);
        Assert.True(report.IsValid, string.Join("\n", report.Discrepancies));
        Assert.Null(report.EpsilonBudget);
        Assert.Equal(epsilons[2], report.ExampleEpsilonMaxReported!.Value, 12);

        // The auditor's CLI names each level: none at the participant level, the example level with its budget.
        var shown = await BuiltTool.RunCliAsync("ledger", "show", created.SessionId, "--coordinator", _federation.Coordinator.Address.ToString());
        Assert.True(shown.ExitCode == 0, shown.Output);
        Assert.Contains("participant none", shown.Output, StringComparison.Ordinal);
        Assert.Contains("example     ε ≤ 2 at δ = 1E-05 per record", shown.Output, StringComparison.Ordinal);
        Assert.Contains("EXAMPLE ε", shown.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("PART. ε", shown.Output, StringComparison.Ordinal);

        // The data owner checks the export against its own spend log: same declared parameters, ledger verifies.
        var export = Path.Combine(_federation.DataDirectory, "example-ledger.json");
        var exported = await BuiltTool.RunCliAsync("ledger", "export", created.SessionId, "--coordinator", _federation.Coordinator.Address.ToString(), "--out", export);
        Assert.True(exported.ExitCode == 0, exported.Output);
        var check = await BuiltTool.RunParticipantToolAsync("check-ledger", "--ledger", export, "--spend-log", spendLog, "--public-key", final.LedgerPublicKey);
        Assert.True(check.ExitCode == 0, check.Output);
        Assert.Contains("3 attempts of this session; every round task's parameters and key match the ledger", check.Output, StringComparison.Ordinal);

        // Every round task named the session's key, and the spend log kept its fingerprint: a ledger re-signed with another
        // key (as whoever can write the database could) verifies on its own, but not against the spend log.
        Assert.All(lines, l => Assert.Equal(final.LedgerKeySha256, l.GetProperty("ledger_key_sha256").GetString()));
        using var forger = LedgerSigner.Create();
        var forgedHeader = ledger.Header with { PublicKey = forger.PublicKey };
        var forgedEntries = new List<LedgerEntry>();
        foreach (var entry in ledger.Entries)
        {
            forgedEntries.Add(forger.Seal(forgedHeader, entry, LedgerChain.NextPreviousHash(forgedHeader, forgedEntries.LastOrDefault())));
        }
        var forged = Path.Combine(_federation.DataDirectory, "forged-ledger.json");
        await File.WriteAllTextAsync(forged, LedgerJson.Serialize(ledger with { Header = forgedHeader, Entries = forgedEntries }), Ct);
        var caught = await BuiltTool.RunParticipantToolAsync("check-ledger", "--ledger", forged, "--spend-log", spendLog);
        Assert.True(caught.ExitCode == 6, caught.Output);
        Assert.Contains("verifies (checked against the key in the ledger", caught.Output, StringComparison.Ordinal);
        Assert.Contains($"the round task named ledger key sha256 {final.LedgerKeySha256}; the export's header carries key sha256 {forger.PublicKeySha256}",
            caught.Output, StringComparison.Ordinal);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
