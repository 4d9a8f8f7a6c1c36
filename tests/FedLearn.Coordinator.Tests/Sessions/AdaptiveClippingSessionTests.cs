using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Grains.Sessions;
using FedLearn.Ledger;
using FedLearn.Privacy;

namespace FedLearn.Coordinator.Tests.Sessions;

/// <summary>
/// Adaptive clipping in the coordinator (Andrew et al. 2021): what a session may ask for, how σ is split between the sum and
/// the count, where each round's clip norm comes from, which reports an update may carry, and what the aggregator releases.
/// </summary>
public sealed class AdaptiveClippingSessionTests
{
    private static readonly AdaptiveClippingDefinition Adaptive = new(0.5, 0.2, 0, 5);

    private static readonly PrivacyDefinition Central = new(4, 1e-5, "rdp", 1.0, 0.5, 1.0, CentralNoise: true, AdaptiveClipping: Adaptive);

    private static SessionDefinition Session(PrivacyDefinition privacy) => new(
        Name: "adaptive", Model: new ModelDefinition("mlp", 784, 10, [256], "relu"), Rounds: 20, ParticipantsPerRound: 10, MinParticipants: 5,
        LocalEpochs: 1, BatchSize: 32, LearningRate: 0.05, ServerLearningRate: 1.0, Seed: 0, RoundDeadlineSeconds: 120, Privacy: privacy);

    [Fact]
    public void Validate_CentralOrSecureSessionWithAdaptiveClipping_Accepts()
    {
        SessionDefinitionValidator.Validate(Session(Central));
        SessionDefinitionValidator.Validate(Session(Central with { CentralNoise = false }));
    }

    [Theory]
    [InlineData(20)] // the smallest cohorts cannot open beside 5% colluders of the population (the default ρ)
    [InlineData(100)]
    public void SecureCharge_IsTheJointSigmaOfTheUpdateAndReportSums_AtLeastThePlannedSigma(int cohort)
    {
        var plan = SessionPrivacy.Resolve(Central with { CentralNoise = false }, plannedRounds: 20);
        var secure = SecureAggregationPlanner.Plan(cohort, 5000, plan, minimum: 3);
        var encoding = SecureAggregationEncoding.For(secure, 5000, plan);
        var honest = encoding.HonestShares; // s_min − c(n)
        if (cohort == 20)
        {
            // ρ = 0.05: c(20) = 12 colluders, so 18 − 12 = 6 shares noise the report too, not 18 − ⌊0.05·20⌋ = 17.
            Assert.Equal(6, honest);
            Assert.Equal(6, SecureAggregationEncoding.For(secure, 5000, plan).HonestShares); // the participant's SecureTaskEncoding derives the same
        }

        var charge = SecureAggregationPlanner.WorstCaseNoiseMultiplier(secure, 5000, plan);

        // The sum's shares are sized for z_Δ, the report's for 2σ_b: together at least σ (up to the negligible τ term).
        Assert.Equal(plan.SumNoiseMultiplier, encoding.NoiseMultiplier);
        var report = AdaptiveClipping.SecureReportNoiseMultiplier(AdaptiveClipping.SecureReportShareVariance(5, honest), honest);
        Assert.Equal(AdaptiveClipping.JointNoiseMultiplier(encoding.EffectiveNoiseMultiplier(), report), charge, 12);
        Assert.InRange(charge, plan.NoiseMultiplier * (1 - 1e-9), plan.NoiseMultiplier * 1.1);
        Assert.Equal(encoding.PaddedDimension + 1, SecureAggregationEncoding.VectorLength(encoding, plan));
    }

    [Theory]
    [InlineData("NaN target", "target_quantile")]
    [InlineData("target one", "target_quantile")]
    [InlineData("zero rate", "learning_rate")]
    [InlineData("rate above ten", "learning_rate")]
    [InlineData("NaN bit noise", "bit_noise_stddev")]
    [InlineData("bit noise at half sigma", "bit_noise_stddev")]
    [InlineData("two initial clip norms", "initial_clip_norm")]
    [InlineData("no clip norm at all", "initial_clip_norm")]
    [InlineData("audit", "audit_commitment")]
    public void Validate_BadAdaptiveClipping_RefusesNamingTheField(string scenario, string field)
    {
        var privacy = scenario switch
        {
            "NaN target" => Central with { AdaptiveClipping = Adaptive with { TargetQuantile = double.NaN } },
            "target one" => Central with { AdaptiveClipping = Adaptive with { TargetQuantile = 1 } },
            "zero rate" => Central with { AdaptiveClipping = Adaptive with { LearningRate = 0 } },
            "rate above ten" => Central with { AdaptiveClipping = Adaptive with { LearningRate = 10.5 } },
            "NaN bit noise" => Central with { AdaptiveClipping = Adaptive with { BitNoiseStddev = double.NaN } },
            "bit noise at half sigma" => Central with { AdaptiveClipping = Adaptive with { BitNoiseStddev = 0.5 } },
            "two initial clip norms" => Central with { AdaptiveClipping = Adaptive with { InitialClipNorm = 2 } },
            "no clip norm at all" => Central with { ClipNorm = 0 },
            _ => Central with { AuditCommitment = new byte[32] },
        };

        var error = Assert.Throws<ArgumentException>(() => SessionDefinitionValidator.Validate(Session(privacy)));

        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_SplitsSigmaBetweenTheSumAndTheCount_AndStartsAtTheInitialClipNorm()
    {
        var plan = SessionPrivacy.Resolve(Central with { ClipNorm = 0, AdaptiveClipping = Adaptive with { InitialClipNorm = 0.25 } }, plannedRounds: 20);

        var adaptive = Assert.IsType<AdaptiveClippingPlan>(plan.AdaptiveClipping);
        Assert.Equal(0.25, plan.ClipNorm);
        Assert.Equal(1.0, plan.NoiseMultiplier); // the σ charged per round
        Assert.Equal(AdaptiveClipping.UpdateNoiseMultiplier(1.0, 5), plan.SumNoiseMultiplier);
        Assert.Equal(1.0, AdaptiveClipping.JointNoiseMultiplier(plan.SumNoiseMultiplier, 2 * 5), 12);
        Assert.Equal(100, adaptive.ReportNoiseVariance);
    }

    [Fact]
    public void Resolve_CalibratedSigmaAboveTwiceTheBitNoise_IsRefused()
    {
        // ε = 0.5 over 20 rounds at q = 1 needs σ far above 2σ_b = 1.2: nothing would be left for the sum.
        var definition = Central with { EpsilonBudget = 0.5, NoiseMultiplier = 0, AdaptiveClipping = Adaptive with { BitNoiseStddev = 0.6 } };

        var error = Assert.Throws<ArgumentException>(() => SessionPrivacy.Resolve(definition, plannedRounds: 20));

        Assert.Contains("bit_noise_stddev", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundClipNorm_FollowsTheLastEntrysReleasedCount_AndIsTheInitialOneBeforeAnyEntry()
    {
        var plan = SessionPrivacy.Resolve(Central, plannedRounds: 20);
        var last = new LedgerEntry(3, "s", 3, DateTimeOffset.UnixEpoch, LedgerMechanisms.CentralGaussian, 1, 1, 0.8, 0.81, 10, 8, 1e-5, 1, 1, "", "", "", "",
            ClipTargetQuantile: 0.5, ClipLearningRate: 0.2, BitNoiseStddev: 5, ReportNoiseVariance: 100, NoisyUnclippedCount: 6.5);
        var empty = last with { ParticipantsAggregated = 0, NoisyUnclippedCount = null };

        Assert.Equal(0.5, RoundClipNorm.After(plan, null));
        Assert.Equal(0.8 * Math.Exp(-0.2 * ((6.5 / 8) - 0.5)), RoundClipNorm.After(plan, last), 15);
        Assert.Equal(0.8, RoundClipNorm.After(plan, empty));
        Assert.Equal(0.7, RoundClipNorm.ForRound(plan, 0.7).ClipNorm);
        var fixedPlan = plan with { AdaptiveClipping = null };
        Assert.Equal(0.5, RoundClipNorm.After(fixedPlan, last));
        Assert.Same(fixedPlan, RoundClipNorm.ForRound(fixedPlan, 0.7));
    }

    [Fact]
    public void ClipReportProblem_RequiresAReportInMinusOneToOne_ExactlyWhenTheRoundAdapts()
    {
        var plan = SessionPrivacy.Resolve(Central, plannedRounds: 20);

        Assert.Null(UpdateValidator.ClipReportProblem(1, plan));
        Assert.Null(UpdateValidator.ClipReportProblem(0, plan));
        Assert.Null(UpdateValidator.ClipReportProblem(-1, plan));
        Assert.Null(UpdateValidator.ClipReportProblem(null, plan with { AdaptiveClipping = null }));
        Assert.Null(UpdateValidator.ClipReportProblem(null, null));
        Assert.Contains("must carry clip_report", UpdateValidator.ClipReportProblem(null, plan), StringComparison.Ordinal);
        Assert.Contains("−1, 0 or +1", UpdateValidator.ClipReportProblem(2, plan), StringComparison.Ordinal);
        Assert.Contains("only for rounds that adapt", UpdateValidator.ClipReportProblem(1, plan with { AdaptiveClipping = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void CentralAggregator_ReleasesTheNoisyCountOfUnclippedUpdates()
    {
        // σ_b = 0.5: the count's noise N_Z(0, 1)/2; seven within C, three above, one zero update (counted as half).
        var plan = SessionPrivacy.Resolve(Central with { AdaptiveClipping = Adaptive with { BitNoiseStddev = 0.5 }, NoiseMultiplier = 0.9 }, 20);
        var aggregator = new CentralGaussianAggregator(4, plan, eligible: 11, selected: 11);
        foreach (var report in new[] { 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, 0 })
        {
            aggregator.Add(new float[] { 0.1f, 0, 0, 0 }, 1, report);
        }

        var release = aggregator.Release();

        Assert.Equal(0.9, release.Noise!.NoiseMultiplier);
        // Beyond ±5 the integer noise would be 10 standard deviations out (probability below 1e-22).
        Assert.InRange(release.NoisyUnclippedCount!.Value, 7.5 - 5, 7.5 + 5);
        Assert.Equal(0, release.NoisyUnclippedCount.Value * 2 % 1, 12); // (Σr + integer noise + n)/2: a multiple of ½
        Assert.Throws<ArgumentException>(() => new CentralGaussianAggregator(4, plan, 11, 11).Add(new float[4], 1, null));
    }
}
