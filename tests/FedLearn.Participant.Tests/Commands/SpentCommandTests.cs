using System.Text.Json;
using FedLearn.Participant.Commands;
using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;

namespace FedLearn.Participant.Tests.Commands;

public sealed class SpentCommandTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static readonly SpendRecord[] Records =
    [
        Record("s1", round: 1, attempt: 1, epsilon: 0.4, spent: 0.0),
        Record("s1", round: 2, attempt: 1, epsilon: 0.6, spent: 0.35),
        Record("s1", round: 2, attempt: 2, epsilon: 0.6, spent: 0.35),
        Record("s1", round: 3, attempt: 1, epsilon: 0.9, spent: 0.55),
        new(Start.AddMinutes(10), "p1", "s2", 1, 1, SpendRecord.NoMechanism, null, null, null, null, null, null, null, 0),
    ];

    [Fact]
    public void Summarize_GroupsBySession()
    {
        var sessions = SessionSpend.Summarize(Records);

        Assert.Equal(2, sessions.Count);
        var s1 = sessions[0];
        Assert.Equal(("s1", 3, 4, true, 0.9, 8.0, 0.55), (s1.SessionId, s1.Rounds, s1.Uploads, s1.Private, s1.MaxEpsilon, s1.EpsilonBudget, s1.CoordinatorEpsilonSpent));
        Assert.False(sessions[1].Private);
        Assert.Null(sessions[1].MaxEpsilon);
    }

    [Fact]
    public void Render_Table_OneRowPerSession()
    {
        var text = SpentCommand.Render(SessionSpend.Summarize(Records), json: false);

        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^PARTICIPANT\s+SESSION\s+ROUNDS\s+ATTEMPTS\s+PARTICIPANT-LEVEL ε\s+BUDGET ε\s+δ\s+ACCOUNTANT\s+LEDGER ε\s+ε AGAINST COORDINATOR\s+EXAMPLE-LEVEL ε / BUDGET\s+LAST \(UTC\)$", lines[0]);
        Assert.Matches(@"^p1\s+s1\s+3\s+4\s+0\.9\s+8\s+1E-05\s+rdp\s+0\.55\s+-\s+-\s+2025-03-01 12:03:00$", lines[1]);
        Assert.Matches(@"^p1\s+s2\s+1\s+1\s+unbounded \(no DP\)\s+-", lines[2]);
    }

    [Fact]
    public void Summarize_RepeatedAttempt_CountedAndSpentAgain()
    {
        var sessions = SessionSpend.Summarize([.. Records, Record("s1", round: 3, attempt: 1, epsilon: 1.2, spent: 0.55)]);

        var s1 = sessions.Single(s => s.SessionId == "s1");
        Assert.Equal((3, 5, 1, 1.2), (s1.Rounds, s1.Uploads, s1.RepeatedAttempts, s1.MaxEpsilon));
        Assert.Matches(@"^p1\s+s1\s+3\s+5 \(1 repeated\)\s+1\.2\s", SpentCommand.Render(sessions, json: false).Split(Environment.NewLine)[1]);
    }

    [Fact]
    public void Summarize_AgainstTheCoordinator_LargestFigureOrWhyThereIsNone()
    {
        SpendRecord[] records =
        [
            Record("secure", 1, 1, 0.3, 0) with { CoordinatorNoiseMultiplier = 1.0, EpsilonAgainstCoordinator = 4.2 },
            Record("secure", 2, 1, 0.4, 0.3) with { CoordinatorNoiseMultiplier = 1.0, EpsilonAgainstCoordinator = 6.1 },
            Record("central", 1, 1, 0.3, 0) with { NoGuaranteeAgainstCoordinator = CoordinatorAccounting.CentralNoise },
            Record("mixed", 1, 1, 0.3, 0) with { EpsilonAgainstCoordinator = 4.2 },
            Record("mixed", 2, 1, 0.3, 0) with { NoGuaranteeAgainstCoordinator = "round 1 attempt 1 of this session gave no guarantee" },
        ];

        var sessions = SessionSpend.Summarize(records).ToDictionary(s => s.SessionId);

        Assert.Equal((6.1, null), (sessions["secure"].MaxEpsilonAgainstCoordinator, sessions["secure"].NoGuaranteeAgainstCoordinator));
        Assert.Equal("6.1", sessions["secure"].AgainstCoordinatorLabel());
        Assert.Equal("none (central noise)", sessions["central"].AgainstCoordinatorLabel());
        Assert.Null(sessions["mixed"].MaxEpsilonAgainstCoordinator);
        Assert.Equal("none", sessions["mixed"].AgainstCoordinatorLabel());
        using var json = JsonDocument.Parse(SpentCommand.Render(SessionSpend.Summarize(records), json: true));
        var bySession = json.RootElement.EnumerateArray().ToDictionary(e => e.GetProperty("session_id").GetString()!);
        Assert.Equal(6.1, bySession["secure"].GetProperty("max_epsilon_against_coordinator").GetDouble());
        Assert.Equal(CoordinatorAccounting.CentralNoise, bySession["central"].GetProperty("no_guarantee_against_coordinator").GetString());
    }

    [Fact]
    public void Render_Json_ArrayOfSessions()
    {
        var text = SpentCommand.Render(SessionSpend.Summarize(Records), json: true);

        using var document = JsonDocument.Parse(text);
        var sessions = document.RootElement;
        Assert.Equal(JsonValueKind.Array, sessions.ValueKind);
        Assert.Equal(2, sessions.GetArrayLength());
        Assert.Equal("s1", sessions[0].GetProperty("session_id").GetString());
        Assert.Equal(3, sessions[0].GetProperty("rounds").GetInt32());
        Assert.Equal(0.9, sessions[0].GetProperty("max_epsilon").GetDouble());
        Assert.Equal(JsonValueKind.Null, sessions[1].GetProperty("max_epsilon").ValueKind);
    }

    [Fact]
    public void Render_Empty_SaysSo()
    {
        Assert.Equal("No rounds recorded." + Environment.NewLine, SpentCommand.Render([], json: false));
        Assert.Equal("[]" + Environment.NewLine, SpentCommand.Render([], json: true));
    }

    private static SpendRecord Record(string session, int round, int attempt, double epsilon, double spent) =>
        new(Start.AddMinutes(round), "p1", session, round, attempt, "central_gaussian", 0.5, 1.1, 1.0, 1e-5, 8.0, epsilon, "rdp", spent);
}
