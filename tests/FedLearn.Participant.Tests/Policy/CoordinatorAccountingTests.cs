using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Privacy;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Participant.Tests.Policy;

public sealed class CoordinatorAccountingTests
{
    [Fact]
    public void NoiseMultiplier_IsTheLibrarysGuaranteeForTheCertainlyHonestSharesOfTheMinimumSurvivors()
    {
        var task = Tasks.Secure(sigma: 1.1, threshold: 17, participants: 100, minimumSurvivors: 90, colluderFraction: 0.05);

        var sigma = CoordinatorAccounting.NoiseMultiplier(task, task.Privacy);

        // Computed from the declared parameters: with 5% of the population colluding a cohort of 100 may hold c(100) = 26 of
        // them (not ⌊0.05·100⌋ = 5), so 90 − 26 = 64 certainly honest shares of σ_int², sized so they carry σ·Δ₂ together.
        var encoding = new EncodingParameters(1000, 1.0, 1.0 / 4096, 1.1, MinimumSurvivors: 90, Cohort: 100, Rotate: true, AssumedColluders: 26);
        Assert.Equal(encoding.EffectiveNoiseMultiplier(), sigma, 12);
        Assert.Equal(DistributedNoiseGuarantee.NoiseMultiplier(encoding.GridSensitivity, encoding.GridNoiseVariance, 64, encoding.PaddedDimension), sigma, 12);
        Assert.Equal((ulong)Math.Ceiling(1.1 * 1.1 * encoding.GridSensitivity * encoding.GridSensitivity / 64), encoding.GridNoiseVariance);
        Assert.InRange(sigma, 1.1 * (1 - 1e-9), 1.1 * 1.001);
    }

    [Theory]
    [InlineData(17, 100, 0)] // a coordinator that does not declare it
    [InlineData(17, 100, 16)] // below the threshold: could not unmask
    [InlineData(17, 100, 101)] // above the cohort
    [InlineData(18, 1000, 18)] // the SecAgg+ threshold of a cohort of 1000: all 18 survivors may be among its c(1000) = 106 colluders
    [InlineData(9, 10, 9)] // a cohort of 10 may hold c(10) = 9 colluders: as many as its survivors
    public void NoiseMultiplier_MinimumSurvivorsUnusable_RefusesTheTask(int threshold, int participants, int minimumSurvivors)
    {
        var task = Tasks.Secure(threshold: threshold, participants: participants, minimumSurvivors: minimumSurvivors, colluderFraction: 0.05);

        Assert.Throws<ArgumentException>(() => CoordinatorAccounting.NoiseMultiplier(task, task.Privacy));
        Assert.False(new PolicyGuard(ParticipantPolicy.Permissive, "p1").Check(task, []).Accept);
    }

    [Theory]
    [InlineData(-0.01)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void NoiseMultiplier_ColluderFractionOutOfRange_RefusesTheTask(double colluderFraction)
    {
        var task = Tasks.Secure(colluderFraction: colluderFraction);

        Assert.Throws<ArgumentException>(() => CoordinatorAccounting.NoiseMultiplier(task, task.Privacy));
        Assert.False(new PolicyGuard(ParticipantPolicy.Permissive, "p1").Check(task, []).Accept);
    }

    [Fact]
    public void Assess_SecureAggregation_ComposesEveryContributedAttemptWithoutAmplification()
    {
        var first = Tasks.Secure(round: 1);
        var assessedFirst = CoordinatorAccounting.Assess(first, []);
        var history = new[] { Record(1, 1, assessedFirst), Record(1, 1, assessedFirst), Record(2, 1, assessedFirst) };

        var fourth = CoordinatorAccounting.Assess(Tasks.Secure(round: 3), history);

        var sigma = assessedFirst.NoiseMultiplier!.Value;
        var rdp = Accountants.Create(AccountantKind.Rdp);
        Assert.Null(fourth.NoGuarantee);
        Assert.Equal(rdp.GetEpsilon([new SubsampledGaussianStep(1.0, sigma, 1)], 1e-5), assessedFirst.Epsilon!.Value, 12);
        // The repeated round 1 attempt 1 counts twice: four Gaussian mechanisms at q = 1, not three, and not amplified by q = 0.1.
        Assert.Equal(rdp.GetEpsilon([new SubsampledGaussianStep(1.0, sigma, 4)], 1e-5), fourth.Epsilon!.Value, 12);
        Assert.True(fourth.Epsilon > 3 * rdp.GetEpsilon([new SubsampledGaussianStep(0.1, sigma, 4)], 1e-5));
    }

    [Fact]
    public void Assess_PldSession_UsesTheExactGaussianPld()
    {
        var assessed = CoordinatorAccounting.Assess(Tasks.Secure(accountant: "pld"), []);

        var pld = Accountants.Create(AccountantKind.Pld).GetEpsilon([new SubsampledGaussianStep(1.0, assessed.NoiseMultiplier!.Value)], 1e-5);
        Assert.Equal(pld, assessed.Epsilon!.Value, 12);
    }

    [Fact]
    public void Assess_CentralNoise_IsNoGuaranteeNotANumber()
    {
        var assessed = CoordinatorAccounting.Assess(Tasks.Private(), []);

        Assert.Equal(CoordinatorGuarantee.None(CoordinatorAccounting.CentralNoise), assessed);
        Assert.Equal(CoordinatorGuarantee.None(CoordinatorAccounting.NoParticipantLevel), CoordinatorAccounting.Assess(Tasks.NonPrivate(), []));
    }

    [Fact]
    public void Assess_EarlierAttemptWithoutAFigure_VoidsTheGuarantee()
    {
        var old = new SpendRecord(DateTimeOffset.UnixEpoch, "p1", "session-1", 1, 1, "distributed_discrete_gaussian",
            0.1, 1.1, 1.0, 1e-5, 8.0, 0.3, "rdp", 0);

        var assessed = CoordinatorAccounting.Assess(Tasks.Secure(round: 2), [old]);

        Assert.Null(assessed.Epsilon);
        Assert.Contains("round 1 attempt 1 of this session gave no guarantee against the coordinator (none recorded)", assessed.NoGuarantee, StringComparison.Ordinal);
    }

    internal static SpendRecord Record(int round, int attempt, CoordinatorGuarantee guarantee) =>
        new(DateTimeOffset.UnixEpoch, "p1", "session-1", round, attempt, "distributed_discrete_gaussian", 0.1, 1.1, 1.0, 1e-5, 8.0, 0.3, "rdp", 0,
            CoordinatorNoiseMultiplier: guarantee.NoiseMultiplier, EpsilonAgainstCoordinator: guarantee.Epsilon,
            NoGuaranteeAgainstCoordinator: guarantee.NoGuarantee);
}
