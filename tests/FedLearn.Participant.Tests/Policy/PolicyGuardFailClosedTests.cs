using FedLearn.Participant.Policy;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Tests.Policy;

/// <summary>NaN, infinite and degenerate parameters refuse the round, with or without a policy file (issue 9, item 9).</summary>
public sealed class PolicyGuardFailClosedTests
{
    private static readonly ParticipantPolicy Strict = new(
        MaxEpsilonPerSession: 10, MaxDelta: 1e-5, MinParticipantsPerRound: 1, RequireSecureAggregation: false, AllowNonPrivateSessions: false,
        MaxEpsilonAgainstCoordinator: 1000);

    public static TheoryData<string, Action<RoundTask>> BadParticipantLevel => new()
    {
        { "q NaN", t => t.Privacy.SamplingRate = double.NaN },
        { "q > 1", t => t.Privacy.SamplingRate = 1.5 },
        { "σ NaN", t => t.Privacy.NoiseMultiplier = double.NaN },
        { "σ ∞", t => t.Privacy.NoiseMultiplier = double.PositiveInfinity },
        { "σ 0", t => t.Privacy.NoiseMultiplier = 0 },
        { "δ NaN", t => t.Privacy.Delta = double.NaN },
        { "δ 0", t => t.Privacy.Delta = 0 },
        { "budget NaN", t => t.Privacy.EpsilonBudget = double.NaN },
        { "budget ∞", t => t.Privacy.EpsilonBudget = double.PositiveInfinity },
        { "C NaN", t => t.Privacy.ClipNorm = double.NaN },
        { "spent NaN", t => t.EpsilonSpent = double.NaN },
        { "spent ∞", t => t.EpsilonSpent = double.PositiveInfinity },
        { "γ NaN", t => t.SecureAggregation.Gamma = double.NaN },
        { "no parameters", t => t.ParameterCount = 0 },
    };

    [Theory]
    [MemberData(nameof(BadParticipantLevel))]
    public void Check_NonFiniteOrOutOfRange_RefusedEvenWithoutAPolicyFile(string what, Action<RoundTask> spoil)
    {
        var task = Tasks.Secure();
        spoil(task);

        foreach (var policy in new[] { Strict, ParticipantPolicy.Permissive })
        {
            var decision = new PolicyGuard(policy, "p1").Check(task, []);
            Assert.False(decision.Accept, $"{what}: {decision.Reason}");
            Assert.Contains("invalid", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_DegenerateCentralNoise_GivesNoFiniteEpsilonAndIsRefused()
    {
        // σ = 1e-170 is finite and > 0, yet its RDP overflows: the accountants refuse σ below 1e-6 (SubsampledGaussianStep),
        // so the round is refused as unaccountable, never passed through a `>` check as NaN would be.
        foreach (var policy in new[] { Strict, ParticipantPolicy.Permissive })
        {
            var decision = new PolicyGuard(policy, "p1").Check(Tasks.Private(sigma: 1e-170), []);
            Assert.False(decision.Accept, decision.Reason);
            Assert.Contains("cannot be accounted for", decision.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_DegenerateDistributedNoise_ChargedAtTheShareFloorAndDeclinedByAPolicy()
    {
        // With distributed noise every participant adds at least the floor variance on the grid, so σ = 1e-170 still has a
        // finite (huge) ε, both for the session and against the coordinator: a policy declines it on the figures.
        var decision = new PolicyGuard(Strict, "p1").Check(Tasks.Secure(sigma: 1e-170), []);

        Assert.False(decision.Accept);
        Assert.True(double.IsFinite(decision.ProjectedEpsilon!.Value) && decision.ProjectedEpsilon > 1000);
        Assert.Contains("> max_epsilon_against_coordinator=1000", decision.Reason, StringComparison.Ordinal);
    }

    public static TheoryData<string, Action<ExamplePrivacyParameters>> BadExampleLevel => new()
    {
        { "budget NaN", p => p.EpsilonBudget = double.NaN },
        { "budget ∞", p => p.EpsilonBudget = double.PositiveInfinity },
        { "δ NaN", p => p.Delta = double.NaN },
        { "δ 1", p => p.Delta = 1 },
        { "σ NaN", p => p.NoiseMultiplier = double.NaN },
        { "σ −1", p => p.NoiseMultiplier = -1 },
        { "C ∞", p => p.ClipNorm = double.PositiveInfinity },
        { "batch 0", p => p.ExpectedBatchSize = 0 },
        { "accountant", p => p.Accountant = "moments" },
    };

    [Theory]
    [MemberData(nameof(BadExampleLevel))]
    public void Check_BadExampleLevelParameters_RefusedEvenWithoutAPolicyFile(string what, Action<ExamplePrivacyParameters> spoil)
    {
        var exampleOnly = Tasks.NonPrivate();
        exampleOnly.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = 3, Delta = 1e-6, Accountant = "rdp", ClipNorm = 1, ExpectedBatchSize = 64 };
        spoil(exampleOnly.ExamplePrivacy);
        var both = Tasks.Private();
        both.ExamplePrivacy = exampleOnly.ExamplePrivacy;

        foreach (var task in new[] { exampleOnly, both })
        {
            var decision = new PolicyGuard(ParticipantPolicy.Permissive, "p1").Check(task, []);
            Assert.False(decision.Accept, $"{what}: {decision.Reason}");
            Assert.Contains("example-level", decision.Reason, StringComparison.Ordinal);
        }
    }
}
