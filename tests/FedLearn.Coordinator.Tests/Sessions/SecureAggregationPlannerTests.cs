using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Grains.Sessions;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Tests.Sessions;

/// <summary>
/// A secure round's noise is sized for the certainly honest shares of the fewest survivors it unmasks with,
/// s_min − c(n) with c(n) the colluders a cohort of n may hold when a fraction ρ of the population colludes, and charged at
/// exactly that: at every cohort size the charge is σ (no over-noising by the ratio of the survivors to the Shamir
/// threshold) and no colluding minimum of the cohort can leave the sum with less.
/// </summary>
public sealed class SecureAggregationPlannerTests
{
    private const int Dimension = 1 << 16;

    private static PrivacyPlan Plan(double allowance = PrivacyPlan.DefaultDropoutAllowance, double colluderFraction = PrivacyPlan.DefaultColluderFraction) =>
        new(PrivacyPlan.DistributedDiscreteGaussian, 0.1, 1.0, 1.0, 10.0, 1e-5, "rdp", true, allowance, ColluderFraction: colluderFraction);

    [Theory]
    [InlineData(10, 0.0, 0, 9)] // no colluder assumed: full SecAgg, t = 5, one dropout of ten
    [InlineData(20, 0.05, 12, 18)] // full SecAgg with t raised to 13 > c(20)
    [InlineData(100, 0.05, 26, 90)] // SecAgg+ chosen for 26 colluders of 100
    [InlineData(1000, 0.05, 106, 900)] // SecAgg+: t − 106 < 0, so s_min carries the noise
    public void Plan_SizesTheNoiseForTheHonestSharesOfTheMinimumSurvivors_AndChargesSigma(int n, double rho, int colluders, int minimumSurvivors)
    {
        var privacy = Plan(colluderFraction: rho);

        var plan = SecureAggregationPlanner.Plan(n, Dimension, privacy);
        var encoding = SecureAggregationEncoding.For(plan, Dimension, privacy);

        Assert.Equal((colluders, minimumSurvivors), (SecureAggregationPlanner.Colluders(n, privacy), plan.MinimumSurvivors));
        Assert.True(plan.Threshold > colluders || plan.Neighbors < n - 1, "a complete graph's threshold must exceed the colluders");
        var honest = minimumSurvivors - colluders;
        Assert.Equal(encoding.GridNoiseVariance, plan.GridNoiseVariance);
        Assert.Equal((ulong)Math.Ceiling(Math.Pow(privacy.NoiseMultiplier * encoding.GridSensitivity, 2) / honest), plan.GridNoiseVariance);
        var charged = SecureAggregationPlanner.WorstCaseNoiseMultiplier(plan, Dimension, privacy);
        Assert.InRange(charged, privacy.NoiseMultiplier, privacy.NoiseMultiplier * 1.0001);
        // With 5% dropout, all of the survivors' noise is at most σ·√(0.95n / h): the price of the colluders is utility.
        var survivors = n - (int)Math.Ceiling(0.05 * n);
        var total = Math.Sqrt(survivors * (double)plan.GridNoiseVariance) / encoding.GridSensitivity;
        Assert.InRange(total, 1.0, Math.Sqrt((double)survivors / honest) * 1.0001);
    }

    [Fact]
    public void Plan_SecAggPlusGraph_IsChosenForTheCohortsColludersNotFivePercent()
    {
        var plan = SecureAggregationPlanner.Plan(1000, Dimension, Plan());

        var chosen = FedLearn.SecureAggregation.SecAggParameters.Choose(1000, 0.05, 106 / 1000.0);
        Assert.Equal((chosen.Neighbors, chosen.Threshold), (plan.Neighbors, plan.Threshold));
        Assert.True(plan.Neighbors < 999);
    }

    [Theory]
    [InlineData(3)]
    [InlineData(10)]
    [InlineData(11)]
    public void WhyNotOpen_CohortThatMayHoldAsManyColludersAsItCanTolerate_CannotOpen(int n)
    {
        Assert.NotNull(SecureAggregationPlanner.WhyNotOpen(n, Plan()));
        Assert.Throws<ArgumentException>(() => SecureAggregationPlanner.Plan(n, Dimension, Plan()));
        Assert.Null(SecureAggregationPlanner.WhyNotOpen(n, Plan(colluderFraction: 0)));
    }

    [Fact]
    public void WhyNotOpen_AtTheDefaults_TwelveIsTheSmallestCohort()
    {
        var opening = Enumerable.Range(3, 30).First(n => SecureAggregationPlanner.WhyNotOpen(n, Plan()) is null);

        Assert.Equal(12, opening);
        Assert.All(Enumerable.Range(12, 200), n => Assert.Null(SecureAggregationPlanner.WhyNotOpen(n, Plan())));
    }

    [Fact]
    public void Plan_MinimumAboveTheAllowance_IsTheMinimumSurvivors()
    {
        var plan = SecureAggregationPlanner.Plan(10, Dimension, Plan(colluderFraction: 0), minimum: 10);

        Assert.Equal(10, plan.MinimumSurvivors);
    }

    [Fact]
    public void Plan_LargerAllowance_FewerMinimumSurvivorsAndMoreNoisePerShare()
    {
        var tight = SecureAggregationPlanner.Plan(100, Dimension, Plan(0.05));
        var loose = SecureAggregationPlanner.Plan(100, Dimension, Plan(0.3));

        Assert.Equal((95, 70), (tight.MinimumSurvivors, loose.MinimumSurvivors));
        Assert.True(loose.GridNoiseVariance > tight.GridNoiseVariance);
    }

    [Fact]
    public void PlanDefaults_MatchTheLibrary() =>
        Assert.Equal((DistributedNoiseGuarantee.DefaultDropoutAllowance, DistributedNoiseGuarantee.AssumedCorruptionRate),
            (PrivacyPlan.DefaultDropoutAllowance, PrivacyPlan.DefaultColluderFraction));

    [Fact]
    public void Resolve_SecureSessionsGetTheDefaultAllowance_CentralNoiseNone()
    {
        var secure = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1), plannedRounds: 10);
        var given = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1, DropoutAllowance: 0.25), plannedRounds: 10);
        var central = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1, CentralNoise: true), plannedRounds: 10);

        Assert.Equal((0.1, 0.25, 0.0), (secure.DropoutAllowance, given.DropoutAllowance, central.DropoutAllowance));
        Assert.Equal((0.05, 0.0), (secure.ColluderFraction, central.ColluderFraction));
        Assert.Equal(0.0, SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1, ColluderFraction: 0), plannedRounds: 10).ColluderFraction);
    }
}
