using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Ledger;
using FedLearn.Protos.V1;

namespace FedLearn.IntegrationTests;

/// <summary>
/// A participant whose spend log is damaged cannot know what it already spent, so it must fail closed: sit every
/// example-private round out, say why, write and send nothing, and stay connected for the rounds after. The session goes
/// on with the healthy participants.
/// </summary>
public sealed class DamagedSpendLogTests : IAsyncLifetime
{
    private TestFederation _federation = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync() => _federation = await TestFederation.StartAsync(participants: 2, examplesEach: 200, idPrefix: "healthy");

    public ValueTask DisposeAsync() => _federation.DisposeAsync();

    [Fact]
    public async Task ExamplePrivateSession_ParticipantWithTornSpendLog_SitsEveryRoundOutAndKeepsServing()
    {
        var spendLog = Path.Combine(_federation.DataDirectory, "torn.jsonl");
        // What a crash (or the old unlocked appends) leaves behind: a line cut off in the middle.
        const string Torn = "{\"time\":\"2026-11-24T04:07:35.35+00:00\",\"participant_id\":\"damaged\",\"session_id\":\"s-1\",\"rou\n";
        await File.WriteAllTextAsync(spendLog, Torn, Ct);
        using var damaged = new ParticipantProcess(_federation.Coordinator.Address, "damaged",
            Path.Combine(_federation.DataDirectory, "participant-0.csv"), "--spend-log", spendLog);
        var admin = _federation.Coordinator.Admin;
        await Sessions.WaitForParticipantsAsync(admin, SyntheticData.Features, SyntheticData.Classes, 3, Ct);
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: 2, perRound: 3, min: 2, deadlineSeconds: 8);
        config.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = 2.0, Delta = 1e-5, ClipNorm = 1.0, ExpectedBatchSize = 25 };
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config }, cancellationToken: Ct);
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct);

        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(90));

        Assert.Equal(SessionState.Completed, final.State);
        var ledger = LedgerJson.Deserialize((await admin.GetLedgerAsync(new SessionRequest { SessionId = created.SessionId }, cancellationToken: Ct)).Json);
        Assert.All(ledger.Entries, e => Assert.Equal(2, e.ParticipantsAggregated));
        // Both rounds were refused with the reason, so the daemon outlived the first failure; nothing was appended.
        var refusals = damaged.Output.Split('\n').Where(l => l.Contains("could not take part", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, refusals.Count);
        Assert.All(refusals, r => Assert.Contains("line 1 is not a spend record", r, StringComparison.Ordinal));
        Assert.Equal(Torn, await File.ReadAllTextAsync(spendLog, Ct));
    }
}
