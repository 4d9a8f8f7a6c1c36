using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Privacy;
using FedLearn.Privacy.Noise;
using FedLearn.Protos.V1;

namespace FedLearn.Participant.Tests.Policy;

public sealed class ExampleLevelAccountingTests
{
    private const int Examples = 6000;
    private const int Epochs = 2;
    private const int PlannedRounds = 5;
    private const int Dimension = 7850;

    [Fact]
    public void Project_CalibratedNoise_FitsThePlannedRoundsAndTheRerunAllowanceAndNotOneMore()
    {
        var parameters = Parameters(noiseMultiplier: 0);
        var history = new List<SpendRecord>();
        var attempts = PlannedRounds + ExampleLevelAccounting.RerunAllowance(PlannedRounds);

        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            var spend = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, history);
            Assert.True(spend.Epsilon <= parameters.EpsilonBudget, $"attempt {attempt}: ε = {spend.Epsilon}");
            history.Add(Record(Math.Min(attempt, PlannedRounds), spend));
        }

        var beyond = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, history);
        Assert.False(beyond.Epsilon <= parameters.EpsilonBudget);
        Assert.Equal((attempts + 1) * Epochs * 24, beyond.TotalSteps); // 6000 / 250 = 24 steps per epoch
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(5, 3)]
    [InlineData(12, 3)]
    [InlineData(13, 4)]
    [InlineData(20, 5)]
    [InlineData(30, 8)]
    public void RerunAllowance_IsAQuarterOfThePlannedRoundsAndAtLeastThree(int rounds, int allowance) =>
        Assert.Equal(allowance, ExampleLevelAccounting.RerunAllowance(rounds));

    [Fact]
    public void Project_CoordinatorRerunsAnAttemptUnderTheSameNumber_BothTrainingsCount()
    {
        // The same (session, round 1, attempt 1) trained for twice: the second projection composes both, as the first
        // training happened whatever number the coordinator gave the rerun.
        var parameters = Parameters(noiseMultiplier: 1.0);
        var first = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, []);

        var rerun = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, [Record(1, first)]);

        var rdp = Accountants.Create(AccountantKind.Rdp);
        Assert.Equal(rdp.GetEpsilon([new SubsampledGaussianStep(250.0 / Examples, 1.0, 2 * Epochs * 24)], 1e-5), rerun.Epsilon, 9);
        Assert.True(rerun.Epsilon > first.Epsilon);
        Assert.Equal(2 * Epochs * 24, rerun.TotalSteps);
    }

    [Fact]
    public void Resent_SameResultSentAgain_SpendsNoStepAndTheNextTrainingComposesAsIfItWereNotThere()
    {
        var parameters = Parameters(noiseMultiplier: 0);
        var first = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, []);
        List<SpendRecord> history = [Record(1, first)];

        var resent = ExampleLevelAccounting.Resent(first, history);
        Assert.Equal((0, first.TotalSteps, first.Epsilon, first.DeltaTotal, 0.0), (resent.Steps, resent.TotalSteps, resent.Epsilon, resent.DeltaTotal, resent.SamplerTvDistance));

        var withoutResend = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, history);
        var afterResend = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, [.. history, Record(1, resent)]);
        Assert.Equal(withoutResend, afterResend);
        Assert.Equal(2 * Epochs * 24, afterResend.TotalSteps);
    }

    [Theory]
    [InlineData(0, 5)]
    [InlineData(2, -1)]
    public void Project_EpochsOrPlannedRoundsOutOfRange_Throws(int epochs, int plannedRounds) =>
        Assert.Throws<ArgumentException>(() => ExampleLevelAccounting.Project(Parameters(0), Examples, Dimension, epochs, plannedRounds, []));

    [Fact]
    public void Project_NaNBudget_Throws()
    {
        var parameters = Parameters(0);
        parameters.EpsilonBudget = double.NaN;

        var e = Assert.Throws<ArgumentException>(() => ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, []));
        Assert.Contains("example-level parameters are invalid", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Project_DeclaredNoise_IsUsedAndComposedWithHistory()
    {
        var parameters = Parameters(noiseMultiplier: 1.3);

        var first = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, []);
        var second = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, [Record(1, first)]);

        Assert.Equal(1.3, first.NoiseMultiplier);
        Assert.Equal(250.0 / Examples, first.SamplingRate, 12);
        var expected = Accountants.Create(AccountantKind.Rdp).GetEpsilon([new SubsampledGaussianStep(250.0 / Examples, 1.3, 2 * Epochs * 24)], 1e-5);
        Assert.Equal(expected, second.Epsilon, 9);
        Assert.True(second.Epsilon > first.Epsilon);
    }

    [Fact]
    public void Project_NoiseSamplerResidue_IsInDeltaTotalOverEveryRoundOfTheSession()
    {
        var parameters = Parameters(noiseMultiplier: 1.3);
        // η per round: the noise sampler's distance plus p_tail = 2⁻⁶⁰ per step for a batch above B_max (review-10 S9).
        var perRound = Epochs * 24 * (GridGaussianMechanism.StatisticalDistance(1, 1.3, Dimension) + BatchSizeBound.TailProbability);

        var first = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, []);
        // The real η (≈ 10⁻²²) vanishes beside δ = 10⁻⁵ in double; an earlier line with a large η shows the sum is taken.
        var earlier = first with { SamplerTvDistance = 1e-9 };
        var second = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, [Record(1, earlier)]);

        Assert.True(perRound > 0);
        Assert.True(first.SamplerTvDistance >= Epochs * 24 * BatchSizeBound.TailProbability); // the skip tail is charged
        Assert.Equal(perRound, first.SamplerTvDistance!.Value, perRound * 1e-12);
        Assert.Equal(perRound, second.SamplerTvDistance!.Value, perRound * 1e-12);
        Assert.Equal(SamplerResidue.TotalDelta(1e-5, first.Epsilon, perRound), first.DeltaTotal);
        // δ_total = δ + (1 + e^ε)·Ση (SamplerResidue.TotalDelta), Ση over every round of the session.
        Assert.Equal(1e-5 + ((1 + Math.Exp(second.Epsilon)) * (1e-9 + perRound)), second.DeltaTotal!.Value, 1e-18);
        Assert.True(second.DeltaTotal > 1e-5 + 1e-9);
    }

    [Fact]
    public void Project_HistoryFromBeforeTheResidueWasLogged_IsRecomputedFromItsOwnParameters()
    {
        var parameters = Parameters(noiseMultiplier: 1.3);
        var first = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, []);
        var old = first with { SamplerTvDistance = null, DeltaTotal = null };

        var fromOld = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, [Record(1, old)]);
        var fromNew = ExampleLevelAccounting.Project(parameters, Examples, Dimension, Epochs, PlannedRounds, [Record(1, first)]);

        Assert.Equal(fromNew.DeltaTotal, fromOld.DeltaTotal);
    }

    [Fact]
    public void Project_BatchLargerThanDataset_SamplesEveryone()
    {
        var spend = ExampleLevelAccounting.Project(Parameters(noiseMultiplier: 2), datasetSize: 100, Dimension, Epochs, PlannedRounds, []);

        Assert.Equal((1.0, Epochs), (spend.SamplingRate, spend.Steps));
    }

    private static ExamplePrivacyParameters Parameters(double noiseMultiplier) => new()
    {
        EpsilonBudget = 3, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = noiseMultiplier, ClipNorm = 1, ExpectedBatchSize = 250,
    };

    private static SpendRecord Record(int round, ExampleSpend spend) =>
        new(DateTimeOffset.UnixEpoch, "p", "s", round, 1, "none", null, null, null, null, null, null, null, 0, spend);
}
