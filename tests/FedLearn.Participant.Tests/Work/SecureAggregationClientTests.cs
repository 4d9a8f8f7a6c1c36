using FedLearn.Participant.Work;
using FedLearn.Protos.V1;
using FedLearn.SecureAggregation.Protocol;
using Google.Protobuf;
using Grpc.Core;

namespace FedLearn.Participant.Tests.Work;

/// <summary>
/// The participant's last line before it reveals unmasking shares: its noise was sized for at least s_min survivors, so it
/// helps unmask no sum of fewer, counted as distinct indices of its cohort (docs/secure-aggregation.md).
/// </summary>
public sealed class SecureAggregationClientTests
{
    // Tasks.Secure: a cohort of 10, threshold 6, s_min = 9.
    private const int Cohort = 10;
    private const int MinimumSurvivors = 9;

    [Fact]
    public async Task UnmaskAsync_RequestListingFewerThanSMinSurvivors_IsRefusedAndRevealsNothing()
    {
        var coordinator = new UnmaskRequestingCoordinator(new UnmaskRequest([0, 1, 2, 3, 4, 5, 6, 7], [8, 9]));
        using var client = Client(coordinator);

        var refused = await Assert.ThrowsAsync<InvalidDataException>(() => client.UnmaskAsync(TestContext.Current.CancellationToken));

        Assert.Contains("lists 8 survivors; this round's noise needs at least 9", refused.Message, StringComparison.Ordinal);
        Assert.Equal([SecureAggregationStage.UnmaskRequest], coordinator.Stages);
    }

    [Fact]
    public async Task UnmaskAsync_RequestPaddedToSMinWithARepeatedIndex_IsRefusedAndRevealsNothing()
    {
        // Nine entries, eight distinct survivors: a count of list entries would pass it.
        var coordinator = new UnmaskRequestingCoordinator(new UnmaskRequest([0, 1, 2, 3, 4, 5, 6, 7, 7], [8, 9]));
        using var client = Client(coordinator);

        await Assert.ThrowsAsync<InvalidDataException>(() => client.UnmaskAsync(TestContext.Current.CancellationToken));

        Assert.Equal([SecureAggregationStage.UnmaskRequest], coordinator.Stages);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 7 }, new[] { 8, 9 }, "more than once")]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 10 }, new[] { 8 }, "outside the cohort")]
    [InlineData(new[] { -1, 0, 1, 2, 3, 4, 5, 6, 7 }, new[] { 8 }, "outside the cohort")]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, new[] { 8, 9 }, "both as a survivor and as dropped")]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7 }, new[] { 8, 9 }, "lists 8 survivors")]
    public void RefuseImplausible_NamesWhyTheRequestCannotBeTrusted(int[] survivors, int[] dropped, string reason)
    {
        var refused = Assert.Throws<InvalidDataException>(() =>
            SecureAggregationClient.RefuseImplausible(new UnmaskRequest(survivors, dropped), Cohort, MinimumSurvivors));

        Assert.Contains(reason, refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8 }, new[] { 9 })]
    [InlineData(new[] { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new int[0])]
    public void RefuseImplausible_AcceptsSMinOrMoreDistinctSurvivors(int[] survivors, int[] dropped) =>
        SecureAggregationClient.RefuseImplausible(new UnmaskRequest(survivors, dropped), Cohort, MinimumSurvivors);

    private static SecureAggregationClient Client(CallInvoker coordinator)
    {
        var task = Tasks.Secure(participants: Cohort, minimumSurvivors: MinimumSurvivors);
        task.SessionId = "session-1";
        task.Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow.AddMinutes(5));
        task.SecureAggregation.RoundId = ByteString.CopyFrom(new byte[16]);
        task.SecureAggregation.GraphSeed = ByteString.CopyFrom(new byte[16]);
        task.SecureAggregation.RotationSeed = ByteString.CopyFrom(new byte[32]);
        task.SecureAggregation.Index = 0;
        task.SecureAggregation.GridNoiseVariance = SecureTaskEncoding.For(task, task.Privacy).GridNoiseVariance;
        var settings = new ParticipantSettings(new Uri("http://127.0.0.1:1"), "p1", TimeSpan.FromSeconds(1));
        return new SecureAggregationClient(new ParticipantService.ParticipantServiceClient(coordinator), settings, task);
    }

    /// <summary>A coordinator that answers the unmask-request stage with <paramref name="request"/> and records every stage asked.</summary>
    private sealed class UnmaskRequestingCoordinator(UnmaskRequest request) : CallInvoker
    {
        public List<SecureAggregationStage> Stages { get; } = [];

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request1)
        {
            var step = Assert.IsType<SecureAggregationStepRequest>(request1);
            Stages.Add(step.Stage);
            var reply = step.Stage == SecureAggregationStage.UnmaskRequest
                ? new SecureAggregationStepReply { Payload = ByteString.CopyFrom(ProtocolJson.Serialize(request)) }
                : new SecureAggregationStepReply();
            return new AsyncUnaryCall<TResponse>(Task.FromResult((TResponse)(object)reply), Task.FromResult(new Metadata()),
                () => Status.DefaultSuccess, () => [], () => { });
        }

        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request1) =>
            throw new NotSupportedException();

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request1) =>
            throw new NotSupportedException();

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw new NotSupportedException();
    }
}
