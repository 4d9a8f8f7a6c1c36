using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Grains.Sessions;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Coordinator.Tests.Sessions;

/// <summary>
/// A secure round's noise is sized for the certainly honest shares of the fewest survivors it unmasks with,
/// s_min − ⌊ρ·n⌋, and charged at exactly that: at every cohort size the charge is σ (no over-noising by the ratio of the
/// survivors to the Shamir threshold) and no colluding minimum of the cohort can leave the sum with less.
/// </summary>
public sealed class SecureAggregationPlannerTests
{
    private const int Dimension = 1 << 16;

    private static PrivacyPlan Plan(double allowance = PrivacyPlan.DefaultDropoutAllowance) =>
        new(PrivacyPlan.DistributedDiscreteGaussian, 0.1, 1.0, 1.0, 10.0, 1e-5, "rdp", true, allowance);

    [Theory]
    [InlineData(10, 5, 9)] // full SecAgg: one dropout of ten
    [InlineData(100, 17, 90)] // SecAgg+ (28, 17)
    [InlineData(1000, 18, 900)] // SecAgg+ (30, 18): t is 18 whatever n, and t − ⌊0.05·1000⌋ < 0
    public void Plan_SizesTheNoiseForTheHonestSharesOfTheMinimumSurvivors_AndChargesSigma(int n, int threshold, int minimumSurvivors)
    {
        var privacy = Plan();

        var plan = SecureAggregationPlanner.Plan(n, Dimension, privacy);
        var encoding = SecureAggregationEncoding.For(plan, Dimension, privacy);

        Assert.Equal((threshold, minimumSurvivors), (plan.Threshold, plan.MinimumSurvivors));
        var honest = minimumSurvivors - (n / 20);
        Assert.Equal(encoding.GridNoiseVariance, plan.GridNoiseVariance);
        Assert.Equal((ulong)Math.Ceiling(Math.Pow(privacy.NoiseMultiplier * encoding.GridSensitivity, 2) / honest), plan.GridNoiseVariance);
        var charged = SecureAggregationPlanner.WorstCaseNoiseMultiplier(plan, Dimension, privacy);
        Assert.InRange(charged, privacy.NoiseMultiplier, privacy.NoiseMultiplier * 1.0001);
        // With 5% dropout, all of the survivors' noise is at most σ·√(0.95n / h): under 1.06σ, where sizing for t gave 7.5σ at n = 1000.
        var survivors = n - (int)Math.Ceiling(0.05 * n);
        var total = Math.Sqrt(survivors * (double)plan.GridNoiseVariance) / encoding.GridSensitivity;
        Assert.InRange(total, 1.0, Math.Sqrt((double)survivors / honest) * 1.0001);
    }

    [Fact]
    public void Plan_MinimumAboveTheAllowance_IsTheMinimumSurvivors()
    {
        var plan = SecureAggregationPlanner.Plan(10, Dimension, Plan(), minimum: 10);

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
        Assert.Equal(DistributedNoiseGuarantee.DefaultDropoutAllowance, PrivacyPlan.DefaultDropoutAllowance);

    [Fact]
    public void Resolve_SecureSessionsGetTheDefaultAllowance_CentralNoiseNone()
    {
        var secure = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1), plannedRounds: 10);
        var given = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1, DropoutAllowance: 0.25), plannedRounds: 10);
        var central = SessionPrivacy.Resolve(new PrivacyDefinition(2.0, 1e-5, "rdp", 1.0, 1.0, 0.1, CentralNoise: true), plannedRounds: 10);

        Assert.Equal((0.1, 0.25, 0.0), (secure.DropoutAllowance, given.DropoutAllowance, central.DropoutAllowance));
    }
}
