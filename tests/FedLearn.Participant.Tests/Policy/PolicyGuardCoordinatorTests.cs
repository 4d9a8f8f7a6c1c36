using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;

namespace FedLearn.Participant.Tests.Policy;

/// <summary>The optional policy limit on ε against the coordinator (un-amplified, over the attempts contributed to).</summary>
public sealed class PolicyGuardCoordinatorTests
{
    private static readonly ParticipantPolicy Base = new(
        MaxEpsilonPerSession: 100, MaxDelta: 1e-5, MinParticipantsPerRound: 1, RequireSecureAggregation: false, AllowNonPrivateSessions: false);

    [Fact]
    public void Check_SecureRound_RecordsTheFigureAgainstTheCoordinatorInTheDecision()
    {
        var decision = new PolicyGuard(Base, "p1").Check(Tasks.Secure(budget: 100), []);

        Assert.True(decision.Accept, decision.Reason);
        Assert.Equal(CoordinatorAccounting.Assess(Tasks.Secure(budget: 100), []), decision.Coordinator);
        Assert.Contains("against the coordinator ε after this attempt is", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LimitSet_DeclinesTheAttemptThatWouldCrossIt()
    {
        var one = CoordinatorAccounting.Assess(Tasks.Secure(budget: 100), []).Epsilon!.Value;
        var two = CoordinatorAccounting.Assess(Tasks.Secure(round: 2, budget: 100),
            [CoordinatorAccountingTests.Record(1, 1, CoordinatorAccounting.Assess(Tasks.Secure(budget: 100), []))]).Epsilon!.Value;
        var guard = new PolicyGuard(Base with { MaxEpsilonAgainstCoordinator = (one + two) / 2 }, "p1");
        var contributed = CoordinatorAccountingTests.Record(1, 1, guard.Check(Tasks.Secure(budget: 100), []).Coordinator!);

        var second = guard.Check(Tasks.Secure(round: 2, budget: 100), [contributed]);

        Assert.False(second.Accept);
        Assert.Contains("ε against the coordinator after this attempt (q = 1, σ = ", second.Reason, StringComparison.Ordinal);
        Assert.Contains("> max_epsilon_against_coordinator=", second.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LimitSet_CountsAnotherParticipantsLinesAndOtherSessionsNot()
    {
        var one = CoordinatorAccounting.Assess(Tasks.Secure(budget: 100), []);
        var guard = new PolicyGuard(Base with { MaxEpsilonAgainstCoordinator = one.Epsilon!.Value * 1.01 }, "p1");
        var others = new[]
        {
            CoordinatorAccountingTests.Record(1, 1, one) with { ParticipantId = "p2" },
            CoordinatorAccountingTests.Record(1, 1, one) with { SessionId = "session-2" },
        };

        Assert.True(guard.Check(Tasks.Secure(round: 2, budget: 100), others).Accept);
    }

    [Fact]
    public void Check_LimitSet_DeclinesCentralNoiseAndNonPrivateSessions()
    {
        var guard = new PolicyGuard(Base with { MaxEpsilonAgainstCoordinator = 50, AllowNonPrivateSessions = true }, "p1");

        var central = guard.Check(Tasks.Private(budget: 10), []);
        var nonPrivate = guard.Check(Tasks.NonPrivate(), []);

        Assert.False(central.Accept);
        Assert.Contains("no guarantee against the coordinator (central noise", central.Reason, StringComparison.Ordinal);
        Assert.False(nonPrivate.Accept);
        Assert.Contains("no guarantee against the coordinator (no participant-level differential privacy)", nonPrivate.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoLimit_CentralNoiseAcceptedAndRecordedAsNoGuarantee()
    {
        var decision = new PolicyGuard(Base, "p1").Check(Tasks.Private(budget: 10), []);

        Assert.True(decision.Accept, decision.Reason);
        Assert.Equal(CoordinatorGuarantee.None(CoordinatorAccounting.CentralNoise), decision.Coordinator);
        Assert.Contains("no guarantee against the coordinator (central noise", decision.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ExampleOnlySession_LimitAppliesToTheExampleBudget()
    {
        var task = Tasks.NonPrivate();
        task.ExamplePrivacy = new Protos.V1.ExamplePrivacyParameters { EpsilonBudget = 3, Delta = 1e-6, Accountant = "rdp", ClipNorm = 1, ExpectedBatchSize = 64 };

        var within = new PolicyGuard(Base with { MaxEpsilonAgainstCoordinator = 3 }, "p1").Check(task, []);
        var above = new PolicyGuard(Base with { MaxEpsilonAgainstCoordinator = 2 }, "p1").Check(task, []);

        Assert.True(within.Accept, within.Reason);
        Assert.False(above.Accept);
        Assert.Contains("the only guarantee this session gives against the coordinator, is above max_epsilon_against_coordinator=2", above.Reason, StringComparison.Ordinal);
    }
}
