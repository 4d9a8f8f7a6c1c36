using FedLearn.Coordinator.Grains;
using FedLearn.Coordinator.Grains.Rounds;
using FedLearn.Coordinator.Grains.Sessions;
using FedLearn.Coordinator.Tests.Cluster;
using FedLearn.SecureAggregation;
using FedLearn.SecureAggregation.Encoding;
using FedLearn.SecureAggregation.Noise;
using FedLearn.SecureAggregation.Protocol;

namespace FedLearn.Coordinator.Tests.Rounds;

/// <summary>
/// Secure-aggregation attempts on the round grain, driven by the library's real participants: every condition is checked
/// before anything is unmasked, and an attempt that cannot finish unmasking closes (aborted) instead of staying open.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class SecureRoundGrainTests(ClusterFixture fixture)
{
    private const int Dimension = 3;
    private static readonly ModelDefinition Model = new("softmax", 1, 3, [], "relu");
    // ρ = 0: these rounds test the protocol's stages on cohorts too small to open beside 5% colluders of the population.
    private static readonly PrivacyPlan Privacy = new(PrivacyPlan.DistributedDiscreteGaussian, 0.5, 1.0, 1.0, 10.0, 1e-5, "rdp", true, ColluderFraction: 0);

    private readonly string _sessionId = $"s-{Guid.NewGuid():N}";

    private IRoundGrain Round => fixture.Grains.GetGrain<IRoundGrain>($"{_sessionId}/1");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MaskedInputs_FewerThanTheMinimumButAtLeastT_AbortsBeforeAnyUnmaskRequest()
    {
        // Four participants: full SecAgg with t = 2. The round needs 3; only 2 send masked inputs.
        using var cohort = await SecureCohort.BeginAsync(Round, _sessionId, participants: 4, minimum: 3, TimeSpan.FromSeconds(16));
        await cohort.AdvertiseAndShareAsync();
        await cohort.SendMaskedInputsAsync(0, 1);

        var result = await WaitForResultAsync();

        Assert.True(result.Aborted);
        Assert.Contains("nothing was unmasked", result.AbortReason, StringComparison.Ordinal);
        Assert.Null(result.AverageDelta);
        Assert.Null(result.Noise);
        // The survivors were never asked for the shares that would unmask their sum.
        var request = await Round.SecureAggregationStep(cohort.Ids[0], 1, SecureAggregationStage.UnmaskRequest, []);
        Assert.Null(request.Payload);
        Assert.False(request.Ready);
    }

    [Fact]
    public async Task MaskedInputs_AtLeastTheMinimumButFewerThanTheMinimumSurvivors_AbortsBeforeAnyUnmaskRequest()
    {
        // Ten participants: full SecAgg with t = 5, the round needs 3, but the noise is sized for s_min = 10 − ⌈0.1·10⌉ = 9
        // survivors. Eight masked inputs are more than t and the minimum, yet a sum of them could hold less noise than the
        // attempt was charged for: nothing may be unmasked.
        using var cohort = await SecureCohort.BeginAsync(Round, _sessionId, participants: 10, minimum: 3, TimeSpan.FromSeconds(16));
        Assert.Equal((5, 9), (cohort.Plan.Threshold, cohort.Plan.MinimumSurvivors));
        await cohort.AdvertiseAndShareAsync();
        await cohort.SendMaskedInputsAsync(0, 1, 2, 3, 4, 5, 6, 7);

        var result = await WaitForResultAsync();

        Assert.True(result.Aborted);
        Assert.Contains("only 8 of 10 participants sent masked inputs; at least 9 are required, so nothing was unmasked", result.AbortReason, StringComparison.Ordinal);
        Assert.Null(result.AverageDelta);
        var request = await Round.SecureAggregationStep(cohort.Ids[0], 1, SecureAggregationStage.UnmaskRequest, []);
        Assert.Null(request.Payload);
        Assert.False(request.Ready);
    }

    [Fact]
    public async Task Unmask_TooFewResponsesToReconstruct_ClosesAsAbortedInsteadOfStayingOpen()
    {
        // Four participants, t = 2; all send masked inputs, only one answers the unmask request: Finish throws
        // SecAggAbortedException, which must close the attempt.
        using var cohort = await SecureCohort.BeginAsync(Round, _sessionId, participants: 4, minimum: 3, TimeSpan.FromSeconds(16));
        await cohort.AdvertiseAndShareAsync();
        await cohort.SendMaskedInputsAsync(0, 1, 2, 3);
        await cohort.UnmaskAsync(0);

        var result = await WaitForResultAsync();

        Assert.True(result.Aborted);
        Assert.Contains("while unmasking", result.AbortReason, StringComparison.Ordinal);
        Assert.Null(result.AverageDelta);
        await WaitForRoundClosedAsync();
    }

    [Fact]
    public async Task AllSurvive_ReleasesTheMeanOverTheExpectedCohortWithTheNoiseItCarries()
    {
        using var cohort = await SecureCohort.BeginAsync(Round, _sessionId, participants: 4, minimum: 3, TimeSpan.FromSeconds(30));
        await cohort.AdvertiseAndShareAsync();
        await cohort.SendMaskedInputsAsync(0, 1, 2, 3);
        await cohort.UnmaskAsync(0, 1, 2, 3);

        var result = await WaitForResultAsync();

        Assert.False(result.Aborted);
        Assert.Equal(Dimension, result.AverageDelta!.Length);
        Assert.Equal(4, result.Noise!.Survivors);
        // Sized for s_min = 3 certainly honest shares (⌊0.05·4⌋ = 0 corrupt); all 4 carry σ·√(4/3).
        Assert.Equal(cohort.Encoding.EffectiveNoiseMultiplier() * Math.Sqrt(4.0 / 3), result.Noise.NoiseMultiplier, 9);
    }

    private async Task<RoundResult> WaitForResultAsync()
    {
        // Generous: 16 s rounds, so the key stages (2.4 s and 4.8 s) close by completion rather than by their deadline
        // even on a loaded machine, and a loaded 2-core machine may run timers late.
        var giveUpAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(45);
        while (TimeProvider.System.GetUtcNow() < giveUpAt)
        {
            if ((await Round.GetProgress()).Result is { } result)
            {
                return result;
            }
            await Task.Delay(50, Ct);
        }
        throw new TimeoutException("The secure attempt never closed.");
    }

    private async Task WaitForRoundClosedAsync()
    {
        var giveUpAt = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(10);
        while (!RecordingSessionGrain.ClosedRounds.Contains((_sessionId, 1, 1)))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < giveUpAt, "The round never told its session it closed.");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>A cohort of the library's secure-aggregation participants talking to one round grain.</summary>
    private sealed class SecureCohort : IDisposable
    {
        private readonly IRoundGrain _round;
        private readonly SecAggParticipant[] _protocols;
        private readonly SecureAggregationPlan _plan;
        private readonly EncodingParameters _encoding;
        private byte[][] _advertisements = [];

        private SecureCohort(IRoundGrain round, SecureAggregationPlan plan)
        {
            _round = round;
            _plan = plan;
            _encoding = SecureAggregationEncoding.For(plan, Dimension, Privacy);
            var configuration = new RoundConfiguration(plan.RoundId, new SecAggParameters(plan.Participants, plan.Neighbors, plan.Threshold),
                _encoding.PaddedDimension, plan.GraphSeed);
            _protocols = [.. Enumerable.Range(0, plan.Participants).Select(i => new SecAggParticipant(configuration, i))];
            Ids = [.. Enumerable.Range(0, plan.Participants).Select(i => $"p{i}")];
        }

        public string[] Ids { get; }

        public SecureAggregationPlan Plan => _plan;

        public EncodingParameters Encoding => _encoding;

        public static async Task<SecureCohort> BeginAsync(IRoundGrain round, string sessionId, int participants, int minimum, TimeSpan deadlineIn)
        {
            var plan = SecureAggregationPlanner.Plan(participants, Dimension, Privacy, minimum);
            var cohort = new SecureCohort(round, plan);
            // Keys are generated before the attempt opens, so a slow first call cannot miss the first stage's deadline.
            cohort._advertisements = [.. cohort._protocols.Select(p => ProtocolJson.Serialize(p.AdvertiseKeys()))];
            var task = new RoundTask(sessionId, 1, 1, Model, 1, 32, 0.1, Dimension, "sha", TimeProvider.System.GetUtcNow() + deadlineIn,
                Privacy, minimum, 0, plan);
            await round.Begin(new RoundPlan(task, cohort.Ids, minimum, new float[Dimension], Eligible: 8));
            return cohort;
        }

        public async Task AdvertiseAndShareAsync()
        {
            for (var i = 0; i < Ids.Length; i++)
            {
                Ok(await _round.SecureAggregationStep(Ids[i], 1, SecureAggregationStage.AdvertiseKeys, _advertisements[i]));
            }
            for (var i = 0; i < Ids.Length; i++)
            {
                var keys = ProtocolJson.Deserialize<NeighborKeys>(Ok(await _round.SecureAggregationStep(Ids[i], 1, SecureAggregationStage.NeighborKeys, []))!);
                Ok(await _round.SecureAggregationStep(Ids[i], 1, SecureAggregationStage.ShareKeys, ProtocolJson.Serialize(_protocols[i].ShareKeys(keys))));
            }
        }

        public async Task SendMaskedInputsAsync(params int[] who)
        {
            using var random = new CryptoRandom();
            var shares = new List<ForwardedShares>();
            foreach (var i in who)
            {
                shares.Add(ProtocolJson.Deserialize<ForwardedShares>(Ok(await _round.SecureAggregationStep(Ids[i], 1, SecureAggregationStage.ForwardedShares, []))!));
            }
            for (var n = 0; n < who.Length; n++)
            {
                var i = who[n];
                var encoded = UpdateEncoder.Encode(new float[Dimension], _encoding, _plan.RotationSeed, random);
                var receipt = await _round.SubmitMaskedInput(Ids[i], 1, _protocols[i].MaskInput(shares[n], encoded).Values);
                Assert.True(receipt.Accepted, receipt.Reason);
            }
        }

        public async Task UnmaskAsync(params int[] who)
        {
            foreach (var i in who)
            {
                var request = ProtocolJson.Deserialize<UnmaskRequest>(Ok(await AwaitUnmaskRequestAsync(Ids[i]))!);
                Ok(await _round.SecureAggregationStep(Ids[i], 1, SecureAggregationStage.Unmask, ProtocolJson.Serialize(_protocols[i].Unmask(request))));
            }
        }

        public void Dispose()
        {
            foreach (var protocol in _protocols)
            {
                protocol.Dispose();
            }
        }

        private async Task<SecureStageReply> AwaitUnmaskRequestAsync(string id)
        {
            SecureStageReply reply;
            while (!(reply = await _round.SecureAggregationStep(id, 1, SecureAggregationStage.UnmaskRequest, [])).Ready && reply.Error is null)
            {
                await Task.Delay(20, Ct);
            }
            return reply;
        }

        private static byte[]? Ok(SecureStageReply reply)
        {
            Assert.True(reply.Ready, reply.Error ?? "not ready");
            return reply.Payload;
        }
    }
}
