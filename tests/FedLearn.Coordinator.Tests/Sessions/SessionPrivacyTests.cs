using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Sessions;
using FedLearn.Ledger;
using FedLearn.Privacy;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Tests.Sessions;

public sealed class SessionPrivacyTests
{
    private static readonly PrivacyPlan Plan = new(PrivacyPlan.CentralGaussian, 0.1, 1.2, 1.0, 2.0, 1e-5, "rdp", false);

    [Fact]
    public void Spent_FromCommittedEntries_EqualsTheAccountantOverThoseRounds()
    {
        var privacy = new SessionPrivacy(Plan, 50, [Entry(1), Entry(2), Entry(3)], releaseConsumersAmplified: true);

        Assert.Equal(Rdp(3), privacy.Spent, 12);
        Assert.Equal(Rdp(4), privacy.ProjectNextRound(Plan.NoiseMultiplier), 12);
        Assert.Equal(Rdp(50), privacy.Planned, 12);
    }

    [Fact]
    public void EpsilonsWithNextRound_PldNeverAboveRdp()
    {
        var privacy = new SessionPrivacy(Plan, 50, [Entry(1)], releaseConsumersAmplified: true);

        var (rdp, pld) = privacy.EpsilonsWithNextRound(Plan.NoiseMultiplier);

        Assert.Equal(Rdp(2), rdp, 12);
        Assert.InRange(pld, 0, rdp);
    }

    [Fact]
    public void RecordCommitted_AdvancesTheProjection()
    {
        var privacy = new SessionPrivacy(Plan, 50, [], releaseConsumersAmplified: true);
        Assert.Equal(0, privacy.Spent);

        privacy.RecordCommitted(Plan.NoiseMultiplier, Rdp(1));

        Assert.Equal(Rdp(1), privacy.Spent, 12);
        Assert.Equal(Rdp(2), privacy.ProjectNextRound(Plan.NoiseMultiplier), 12);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Resolve_NoiseMultiplierZero_CalibratesTheSmallestSigmaThatFitsThePlannedRoundsWithoutAmplification(bool centralNoise)
    {
        // A new session's ledger (accounting version 4) claims no amplification by sampling for release consumers, since
        // the cohort sizes are published (review-10 S7): σ is calibrated at q = 1, not at the session's q = 0.1.
        var plan = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "pld", 0, 1.0, 0.1, CentralNoise: centralNoise), plannedRounds: 100);

        var pld = Accountants.Create(AccountantKind.Pld);
        Assert.Equal("pld", plan.Accountant);
        Assert.Equal(0.1, plan.SamplingRate);
        Assert.True(pld.GetEpsilon([new SubsampledGaussianStep(1.0, plan.NoiseMultiplier, 100)], 1e-5) <= 2.0);
        Assert.True(pld.GetEpsilon([new SubsampledGaussianStep(1.0, plan.NoiseMultiplier * 0.98, 100)], 1e-5) > 2.0);
        Assert.Equal(pld.GetEpsilon([new SubsampledGaussianStep(1.0, plan.NoiseMultiplier, 100)], 1e-5),
            new SessionPrivacy(plan, 100, [], releaseConsumersAmplified: false).Planned, 12);
    }

    [Fact]
    public void Version4_SecureSession_ReleaseConsumerEpsilonIsTheUnamplifiedFigure_AtLeastTheAmplifiedOne()
    {
        var secure = Plan with { Mechanism = PrivacyPlan.DistributedDiscreteGaussian, SecureAggregation = true };
        var unamplified = new SessionPrivacy(secure, 50, [Entry(1), Entry(2)], releaseConsumersAmplified: false);
        var amplified = new SessionPrivacy(secure, 50, [Entry(1), Entry(2)], releaseConsumersAmplified: true);

        var (rdp, pld) = unamplified.EpsilonsWithNextRound(0.9);
        var (coordinatorRdp, coordinatorPld) = unamplified.EpsilonsAgainstCoordinatorWithNextRound(0.9);
        var (amplifiedRdp, amplifiedPld) = amplified.EpsilonsWithNextRound(0.9);

        // The release consumers' figure is the worst case against the coordinator (q = 1 per charged step, same σ) ...
        Assert.Equal(coordinatorRdp, rdp, 12);
        Assert.Equal(coordinatorPld, pld, 12);
        Assert.Equal(Accountants.Create(AccountantKind.Rdp).GetEpsilon(
            [new SubsampledGaussianStep(1.0, Plan.NoiseMultiplier, 2), new SubsampledGaussianStep(1.0, 0.9)], secure.Delta), rdp, 12);
        // ... and never below what the amplified accounting (versions 1-3) recorded.
        Assert.True(rdp > amplifiedRdp);
        Assert.True(pld > amplifiedPld);
        Assert.Equal(coordinatorRdp, unamplified.ProjectNextRound(0.9), 12);
        Assert.True(unamplified.Spent > amplified.Spent);
    }

    [Fact]
    public void Version4_TheBudgetIsCheckedAgainstTheUnamplifiedFigure()
    {
        // A budget between the amplified and the unamplified ε of one step: only the amplified accounting would take it.
        var one = Accountants.Create(AccountantKind.Rdp).GetEpsilon([new SubsampledGaussianStep(1.0, Plan.NoiseMultiplier)], Plan.Delta);
        var budget = Plan with { EpsilonBudget = (Rdp(1) + one) / 2 };

        Assert.True(new SessionPrivacy(budget, 50, [], releaseConsumersAmplified: false).RefuseNextStep(Plan.NoiseMultiplier)!.OverBudget);
        Assert.Null(new SessionPrivacy(budget, 50, [], releaseConsumersAmplified: true).RefuseNextStep(Plan.NoiseMultiplier));
    }

    [Theory]
    [InlineData(1 << 18)]
    [InlineData(1 << 22)] // rounding inflation ≈ D/(8·4096²) = 3.1%: above the 1% margin calibration used to add
    public void Resolve_SecureAggregationCalibration_RoundsCarryAtLeastTheCalibratedSigma(int dimension)
    {
        var central = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 0, 1.0, 0.1, CentralNoise: true), plannedRounds: 100);
        var secure = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 0, 1.0, 0.1), plannedRounds: 100);

        // No margin: the noise is sized from the sensitivity after rounding, once the grid is known.
        Assert.Equal(central.NoiseMultiplier, secure.NoiseMultiplier, 12);
        var round = SecureAggregationPlanner.Plan(20, dimension, secure);
        Assert.True(SecureAggregationPlanner.WorstCaseNoiseMultiplier(round, dimension, secure) >= secure.NoiseMultiplier);
        Assert.True(FedLearn.Privacy.Noise.GridGaussianMechanism.ChargedSensitivity(central.ClipNorm, central.NoiseMultiplier, dimension) > central.ClipNorm);
    }

    [Fact]
    public void Resolve_GivenNoiseMultiplier_KeepsIt()
    {
        var plan = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "", 0.8, 0.5, 0.2), plannedRounds: 10);

        // Secure aggregation with distributed noise is the default mechanism.
        Assert.Equal((0.8, 0.5, 0.2, "rdp", PrivacyPlan.DistributedDiscreteGaussian, true),
            (plan.NoiseMultiplier, plan.ClipNorm, plan.SamplingRate, plan.Accountant, plan.Mechanism, plan.SecureAggregation));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(1e-170)]
    public void RefuseNextStep_NonFiniteOrDegenerateSigma_RefusesAndIsNotABudgetQuestion(double sigma)
    {
        var privacy = new SessionPrivacy(Plan, 50, [], releaseConsumersAmplified: true);

        var refusal = privacy.RefuseNextStep(sigma);

        // σ ≈ 1e-170 makes the RDP bound overflow to NaN or ∞: the step must be refused, never let through.
        Assert.NotNull(refusal);
        Assert.False(refusal.OverBudget, refusal.Reason);
    }

    [Fact]
    public void RefuseNextStep_OverTheBudget_RefusesAsOverBudget_AndAStepThatFitsPasses()
    {
        var tight = new SessionPrivacy(Plan with { EpsilonBudget = Rdp(1) / 2 }, 50, [], releaseConsumersAmplified: true);
        var roomy = new SessionPrivacy(Plan, 50, [], releaseConsumersAmplified: true);

        Assert.True(tight.RefuseNextStep(Plan.NoiseMultiplier)!.OverBudget);
        Assert.Null(roomy.RefuseNextStep(Plan.NoiseMultiplier));
    }

    [Fact]
    public void RefuseNextStep_NaNBudget_Refuses()
    {
        var privacy = new SessionPrivacy(Plan with { EpsilonBudget = double.NaN }, 50, [], releaseConsumersAmplified: true);

        Assert.NotNull(privacy.RefuseNextStep(Plan.NoiseMultiplier));
    }

    [Fact]
    public void EpsilonsAgainstCoordinator_ComposeEveryChargedStepWithoutAmplification()
    {
        var secure = Plan with { Mechanism = PrivacyPlan.DistributedDiscreteGaussian, SecureAggregation = true };
        var privacy = new SessionPrivacy(secure, 50, [Entry(1)], releaseConsumersAmplified: true);

        var (rdp, pld) = privacy.EpsilonsAgainstCoordinatorWithNextRound(0.8);

        // q = 1: the plain Gaussian composed twice, far above the amplified figure.
        var expected = Accountants.Create(AccountantKind.Rdp).GetEpsilon(
            [new SubsampledGaussianStep(1.0, Plan.NoiseMultiplier), new SubsampledGaussianStep(1.0, 0.8)], secure.Delta);
        Assert.Equal(expected, rdp, 12);
        Assert.InRange(pld, 0, rdp);
        Assert.True(rdp > privacy.ProjectNextRound(0.8));
    }

    private static double Rdp(int rounds) =>
        Accountants.Create(AccountantKind.Rdp).GetEpsilon([new SubsampledGaussianStep(Plan.SamplingRate, Plan.NoiseMultiplier, rounds)], Plan.Delta);

    [Fact]
    public void DeltaTotalWithNextRound_PaysForEveryEntrysSamplerDistanceAtTheLargerEpsilon()
    {
        var privacy = new SessionPrivacy(Plan, 50, [Entry(1) with { SamplerTvDistance = 1e-9 }, Entry(2) with { SamplerTvDistance = 2e-9 }], releaseConsumersAmplified: true);

        var total = privacy.DeltaTotalWithNextRound(3e-9, 0, 1.5, 2.5);

        Assert.Equal(Plan.Delta + ((1 + Math.Exp(2.5)) * 6e-9), total, 1e-18);
        privacy.RecordCommitted(Plan.NoiseMultiplier, 2.5, 3e-9);
        Assert.Equal(Plan.Delta + ((1 + Math.Exp(2.5)) * 6e-9), privacy.DeltaTotalWithNextRound(0, 0, 1, 2.5), 1e-18);
    }

    [Fact]
    public void DeltaTotalWithNextRound_AddsEveryEntrysColluderTail_Unscaled()
    {
        // Accounting version 6: δ_c per secure attempt is added as it is (a union bound over a data-independent event),
        // the samplers' η is scaled by (1 + e^ε).
        var tail = ColluderBound.FailureProbability;
        var privacy = new SessionPrivacy(Plan, 50, [Entry(1) with { SamplerTvDistance = 1e-9, ColluderTailProbability = tail }], releaseConsumersAmplified: false);

        var total = privacy.DeltaTotalWithNextRound(2e-9, tail, 1.5, 2.5);

        Assert.Equal(Plan.Delta + ((1 + Math.Exp(2.5)) * 3e-9) + (2 * tail), total, 1e-20);
        privacy.RecordCommitted(Plan.NoiseMultiplier, 2.5, 2e-9, tail);
        Assert.Equal(Plan.Delta + ((1 + Math.Exp(2.5)) * 3e-9) + (3 * tail), privacy.DeltaTotalWithNextRound(0, tail, 1, 2.5), 1e-20);
    }

    [Fact]
    public void AttemptCharges_NothingSentCostsNothing_AReleaseCostsItsCoordinates_FromTheAttemptsOwnPlan()
    {
        var dimension = 1000;

        Assert.Equal(0, AttemptCharges.Planned(Plan, dimension, opens: false).SamplerDistance);
        var central = AttemptCharges.Planned(Plan, dimension, opens: true).SamplerDistance!.Value;
        Assert.Equal(FedLearn.Privacy.Noise.GridGaussianMechanism.StatisticalDistance(Plan.ClipNorm, Plan.NoiseMultiplier, dimension), central);
        Assert.InRange(central, 1e-40, 1e-20); // ≈ d·2^−91

        var secure = Plan with { Mechanism = PrivacyPlan.DistributedDiscreteGaussian, SecureAggregation = true, ColluderFraction = 0 };
        var fivePlan = SecureAggregationPlanner.Plan(5, dimension, secure);
        var five = AttemptCharges.Secure(fivePlan, dimension, secure);
        var ten = AttemptCharges.Secure(SecureAggregationPlanner.Plan(10, dimension, secure), dimension, secure);
        Assert.True(five.SamplerDistance > 0);
        Assert.True(ten.SamplerDistance > five.SamplerDistance); // every selected participant draws a share of noise
        // The inputs are the plan's own (review-10 S8d), not a plan rebuilt later.
        Assert.Equal(((long)fivePlan.GridNoiseVariance, fivePlan.Gamma, fivePlan.Threshold, fivePlan.MinimumSurvivors),
            (five.Inputs!.IntegerNoiseVariance, five.Inputs.GridScale, five.Inputs.ShamirThreshold, five.Inputs.MinimumSurvivors));
        Assert.Equal((0, ColluderBound.FailureProbability), (five.Inputs.AssumedColluders, five.Inputs.ColluderTailProbability));
    }

    private static LedgerEntry Entry(int round) => new(round, "s", round, DateTimeOffset.UnixEpoch, Plan.Mechanism, Plan.SamplingRate,
        Plan.NoiseMultiplier, Plan.ClipNorm, Plan.Sensitivity, 10, 10, Plan.Delta, 0, 0, new string('0', 64), "", "", "");
}
