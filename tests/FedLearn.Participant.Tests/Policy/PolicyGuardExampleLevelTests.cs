using FedLearn.Participant.Policy;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Tests.Policy;

/// <summary>A session that protects only records (DP-SGD) is judged by the policy's limits on that guarantee.</summary>
public sealed class PolicyGuardExampleLevelTests
{
    private static readonly ParticipantPolicy Strict = new(MaxEpsilonPerSession: 4, MaxDelta: 1e-5, MinParticipantsPerRound: 1,
        RequireSecureAggregation: false, AllowNonPrivateSessions: false);

    [Fact]
    public void Check_ExampleBudgetWithinPolicy_AcceptsAndSaysWhichGuaranteeHolds()
    {
        var decision = new PolicyGuard(Strict, "p").Check(ExampleOnly(budget: 3, delta: 1e-6), []);

        Assert.True(decision.Accept);
        Assert.Contains("example-level", decision.Reason, StringComparison.Ordinal);
        Assert.Contains("no participant-level guarantee", decision.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(8.0, 1e-6, "example-level budget")]
    [InlineData(3.0, 1e-3, "example-level δ")]
    public void Check_ExampleLevelAbovePolicy_Declines(double budget, double delta, string reason)
    {
        var decision = new PolicyGuard(Strict, "p").Check(ExampleOnly(budget, delta), []);

        Assert.False(decision.Accept);
        Assert.Contains(reason, decision.Reason, StringComparison.Ordinal);
    }

    private static RoundTask ExampleOnly(double budget, double delta)
    {
        var task = Tasks.NonPrivate();
        task.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = budget, Delta = delta, Accountant = "rdp", ClipNorm = 1, ExpectedBatchSize = 64 };
        return task;
    }
}
