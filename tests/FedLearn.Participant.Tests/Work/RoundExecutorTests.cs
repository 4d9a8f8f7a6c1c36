using FedLearn.Participant.Encoding;
using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using FedLearn.Participant.Work;
using FedLearn.Protos.V1;
using FedLearn.Training;
using Grpc.Core;
using Microsoft.Extensions.Logging.Abstractions;

namespace FedLearn.Participant.Tests.Work;

public sealed class RoundExecutorTests
{
    [Fact]
    public async Task ExecuteAsync_RoundDeclinedByPolicy_NothingSentNothingRecorded()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"));
        var settings = new ParticipantSettings(new Uri("http://127.0.0.1:1"), "p1", TimeSpan.FromSeconds(1));
        var policy = new ParticipantPolicy(1, 1e-5, 1, RequireSecureAggregation: true, AllowNonPrivateSessions: false);
        var data = new Dataset([0f, 1f], [0, 1], featureSize: 1, numClasses: 2);
        using var executor = new RoundExecutor(
            settings, data, UpdateEncoders.Default(), NullLogger<RoundExecutor>.Instance, new PolicyGuard(policy, "p1"), log);
        var coordinator = new ParticipantService.ParticipantServiceClient(new RefusingInvoker());

        await executor.ExecuteAsync(coordinator, Tasks.Private(secureAggregation: false), TestContext.Current.CancellationToken);
        await executor.ExecuteAsync(coordinator, Tasks.NonPrivate(), TestContext.Current.CancellationToken);

        Assert.Empty(SpendLog.Read(log.Path));
    }

    [Theory]
    [InlineData(double.NaN, 1e-5)]
    [InlineData(2.0, double.NaN)]
    [InlineData(double.PositiveInfinity, 1e-5)]
    public async Task ExecuteAsync_NonFiniteExampleLevelParameters_RefusedWithoutAPolicyNothingSent(double budget, double delta)
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"));
        using var executor = Executor(log);
        var task = Tasks.NonPrivate();
        task.Training = new LocalTrainingConfig { LocalEpochs = 1, BatchSize = 2, LearningRate = 0.1 };
        task.PlannedRounds = 3;
        task.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = budget, Delta = delta, ClipNorm = 1, ExpectedBatchSize = 1 };

        await executor.ExecuteAsync(new ParticipantService.ParticipantServiceClient(new RefusingInvoker()), task, TestContext.Current.CancellationToken);

        Assert.Empty(SpendLog.Read(log.Path));
    }

    [Fact]
    public async Task ExecuteAsync_AttemptsAlreadyTrainedForExhaustTheExampleBudget_DeclinedNothingSent()
    {
        // The spend log holds the same (session, round 1, attempt 1) many times over: every one of them was trained for and
        // counts, so the next attempt would exceed the example-level budget and is declined before any training.
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"));
        var spent = new ExampleSpend(0.5, 0.5, 1, 2, 2, 1e-5, 2.0, 1.9, "rdp");
        for (var i = 0; i < 40; i++)
        {
            log.Append(new SpendRecord(DateTimeOffset.UnixEpoch, "p1", "session-1", 1, 1, SpendRecord.NoMechanism,
                null, null, null, null, null, null, null, 0, spent));
        }
        using var executor = Executor(log);
        var task = Tasks.NonPrivate(round: 2);
        task.Model = new Protos.V1.ModelSpec { Kind = "softmax", InputSize = 1, NumClasses = 2, Activation = "relu" };
        task.Deadline = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UnixEpoch);
        task.Training = new LocalTrainingConfig { LocalEpochs = 1, BatchSize = 2, LearningRate = 0.1 };
        task.PlannedRounds = 3;
        task.ExamplePrivacy = new ExamplePrivacyParameters { EpsilonBudget = 2.0, Delta = 1e-5, Accountant = "rdp", ClipNorm = 1, ExpectedBatchSize = 1 };

        await executor.ExecuteAsync(new ParticipantService.ParticipantServiceClient(new RefusingInvoker()), task, TestContext.Current.CancellationToken);

        Assert.Equal(40, SpendLog.Read(log.Path).Count);
    }

    private static RoundExecutor Executor(SpendLog log)
    {
        var settings = new ParticipantSettings(new Uri("http://127.0.0.1:1"), "p1", TimeSpan.FromSeconds(1));
        var data = new Dataset([0f, 1f], [0, 1], featureSize: 1, numClasses: 2);
        return new RoundExecutor(settings, data, UpdateEncoders.Default(), NullLogger<RoundExecutor>.Instance,
            new PolicyGuard(ParticipantPolicy.Permissive, "p1"), log);
    }

    /// <summary>A coordinator connection that fails the test if the executor tries to use it.</summary>
    private sealed class RefusingInvoker : CallInvoker
    {
        public override TResponse BlockingUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw Called(method);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw Called(method);

        public override AsyncServerStreamingCall<TResponse> AsyncServerStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options, TRequest request) =>
            throw Called(method);

        public override AsyncClientStreamingCall<TRequest, TResponse> AsyncClientStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw Called(method);

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(Method<TRequest, TResponse> method, string? host, CallOptions options) =>
            throw Called(method);

        private static Xunit.Sdk.XunitException Called(IMethod method) => new($"A declined round must not call {method.FullName}.");
    }
}
