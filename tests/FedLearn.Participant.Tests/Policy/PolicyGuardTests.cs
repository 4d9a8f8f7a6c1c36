using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Privacy;

namespace FedLearn.Participant.Tests.Policy;

public sealed class PolicyGuardTests
{
    private static readonly ParticipantPolicy Strict = new(
        MaxEpsilonPerSession: 10, MaxDelta: 1e-5, MinParticipantsPerRound: 5, RequireSecureAggregation: false, AllowNonPrivateSessions: false);

    [Fact]
    public void Check_WithinPolicy_AcceptsWithLocalProjection()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(round: 3, budget: 10), []);

        Assert.True(decision.Accept, decision.Reason);
        // Composed at q = 1 although the session samples at q = 0.1: the cohort sizes are published (review-10 S7).
        Assert.Equal(Epsilon(1.0, 1.1, 3, 1e-5), decision.ProjectedEpsilon);
        Assert.True(decision.ProjectedEpsilon > Epsilon(0.1, 1.1, 3, 1e-5));
        Assert.Equal("rdp", decision.Accountant);
        Assert.Contains("projected locally (rdp)", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_BudgetAbovePolicy_Declines()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(budget: 12), []);

        Assert.False(decision.Accept);
        Assert.Contains("budget ε=12 exceeds max_epsilon_per_session=10", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_DeltaAbovePolicy_Declines()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(delta: 1e-3), []);

        Assert.False(decision.Accept);
        Assert.Contains("δ=0.001 exceeds max_delta=1E-05", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TooFewParticipants_Declines()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(minParticipants: 2), []);

        Assert.False(decision.Accept);
        Assert.Contains("needs only 2 participants; min_participants_per_round=5", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SecureAggregationRequiredButNotUsed_Declines()
    {
        var guard = new PolicyGuard(Strict with { RequireSecureAggregation = true }, "p1");

        var without = guard.Check(Tasks.Private(secureAggregation: false), []);
        var with = guard.Check(Tasks.Private(secureAggregation: true), []);

        Assert.False(without.Accept);
        Assert.Contains("does not use secure aggregation", without.Reason, StringComparison.Ordinal);
        Assert.True(with.Accept, with.Reason);
    }

    [Fact]
    public void Check_NonPrivateSession_DeclinedUnlessAllowed()
    {
        var declined = new PolicyGuard(Strict, "p1").Check(Tasks.NonPrivate(), []);
        var allowed = new PolicyGuard(Strict with { AllowNonPrivateSessions = true }, "p1").Check(Tasks.NonPrivate(), []);

        Assert.False(declined.Accept);
        Assert.Contains("no differential privacy", declined.Reason, StringComparison.Ordinal);
        Assert.True(allowed.Accept);
        Assert.Null(allowed.ProjectedEpsilon);
    }

    [Fact]
    public void Check_CoordinatorLedgerAlreadyOverLimit_Declines()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(epsilonSpent: 8.5, budget: 8), []);

        Assert.False(decision.Accept);
        Assert.Contains("ledger already records ε=8.5 > limit 8", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LocalProjectionAboveDeclaredBudget_Declines()
    {
        // The declared budget and ledger look fine, but the rounds so far at the declared (q, σ) cost more than the budget.
        var budget = Epsilon(1.0, 1.1, 10, 1e-5) * 0.9;
        var guard = new PolicyGuard(Strict with { MaxEpsilonPerSession = 100 }, "p1");

        var early = guard.Check(Tasks.Private(round: 1, budget: budget), []);
        var late = guard.Check(Tasks.Private(round: 10, budget: budget, epsilonSpent: 0.1), []);

        Assert.True(early.Accept, early.Reason);
        Assert.False(late.Accept);
        Assert.Contains("ε after round 10 projected locally (rdp)", late.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LocalProjectionAbovePolicyLimit_Declines()
    {
        var limit = Epsilon(1.0, 1.1, 10, 1e-5) * 0.9;
        var guard = new PolicyGuard(Strict with { MaxEpsilonPerSession = limit }, "p1");

        var decision = guard.Check(Tasks.Private(round: 10, budget: limit), []);

        Assert.False(decision.Accept);
        Assert.Contains("projected locally", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LogShowsWeakerEarlierRounds_ProjectsWithThem()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"));
        var guard = new PolicyGuard(Strict with { MaxEpsilonPerSession = 1000 }, "p1");
        for (var round = 1; round <= 3; round++)
        {
            // Earlier rounds declared σ = 0.6; another participant's lines in a shared log must not count.
            var earlier = Tasks.Private(round: round, sigma: 0.6, budget: 1000);
            log.Append(earlier, "p1", guard.Check(earlier, log));
            log.Append(Tasks.Private(round: round, sigma: 0.3, budget: 1000), "p2", guard.Check(earlier, log));
        }

        var decision = guard.Check(Tasks.Private(round: 4, budget: 1000), log);

        var expected = Accountants.Create(AccountantKind.Rdp).GetEpsilon(
            [new SubsampledGaussianStep(1.0, 0.6, 3), new SubsampledGaussianStep(1.0, 1.1, 1)], 1e-5);
        Assert.Equal(expected, decision.ProjectedEpsilon!.Value, 1e-9);
        Assert.True(expected > Epsilon(1.0, 1.1, 4, 1e-5));
    }

    [Fact]
    public void Check_AttemptTrainedForTwiceUnderOneNumber_BothCount()
    {
        // The coordinator reran round 1 under attempt 1 again: both trainings happened, so round 2 is the third step, not the second.
        var guard = new PolicyGuard(Strict, "p1");
        var first = Tasks.Private(round: 1);
        var record = SpendLog.Record(DateTimeOffset.UnixEpoch, first, "p1", guard.Check(first, []), null);

        var decision = guard.Check(Tasks.Private(round: 2), [record, record]);

        Assert.Equal(Epsilon(1.0, 1.1, 3, 1e-5), decision.ProjectedEpsilon!.Value, 12);
        Assert.True(decision.ProjectedEpsilon > Epsilon(1.0, 1.1, 2, 1e-5));
    }

    [Fact]
    public void Check_UnknownMechanism_Declines()
    {
        var task = Tasks.Private();
        task.Privacy.Mechanism = "local_laplace";

        var decision = new PolicyGuard(Strict, "p1").Check(task, []);

        Assert.False(decision.Accept);
        Assert.Contains("unknown privacy mechanism \"local_laplace\"", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_InvalidDeclaredParameters_Declines()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(q: 0), []);

        Assert.False(decision.Accept);
        Assert.Contains("declared privacy parameters are invalid", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoPolicyFile_AcceptsButReportsObjection()
    {
        var budget = Epsilon(1.0, 1.1, 10, 1e-5) * 0.9;

        var decision = new PolicyGuard(ParticipantPolicy.Permissive, "p1").Check(Tasks.Private(round: 10, budget: budget), []);
        var nonPrivate = new PolicyGuard(ParticipantPolicy.Permissive, "p1").Check(Tasks.NonPrivate(), []);

        Assert.True(decision.Accept);
        Assert.Contains("a policy would object", decision.Reason, StringComparison.Ordinal);
        Assert.True(nonPrivate.Accept);
    }

    [Fact]
    public void Check_PldSession_ProjectsWithPld()
    {
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Private(round: 2, accountant: "pld"), []);

        Assert.True(decision.Accept, decision.Reason);
        Assert.Equal("pld", decision.Accountant);
        Assert.True(decision.ProjectedEpsilon <= Epsilon(1.0, 1.1, 2, 1e-5) * 1.001);
    }

    private static double Epsilon(double q, double sigma, int rounds, double delta) =>
        Accountants.Create(AccountantKind.Rdp).GetEpsilon([new SubsampledGaussianStep(q, sigma, rounds)], delta);
}
