using FedLearn.Participant.Encoding;
using FedLearn.Participant.Work;
using Microsoft.Extensions.Logging;

namespace FedLearn.Participant.Tests.Encoding;

public sealed class ClipEncoderTests
{
    private readonly ClipEncoder _encoder = new();

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.1)]
    [InlineData(3.7)]
    public void Encode_LargeUpdate_NormAtMostClipNormAndDirectionKept(double clipNorm)
    {
        var update = Enumerable.Range(0, 10_001).Select(i => (float)Math.Sin(i * 0.37) * 5f).ToArray();
        var before = (float[])update.Clone();

        var clipped = _encoder.Encode(update, Context(Tasks.Private(clipNorm: clipNorm)));

        var norm = ClipEncoder.L2Norm(clipped);
        Assert.True(norm <= clipNorm, $"norm {norm} > {clipNorm}");
        Assert.Equal(clipNorm, norm, clipNorm * 1e-5);
        // Same direction: cosine similarity 1, every coordinate scaled by one positive factor.
        var dot = before.Zip(clipped, (a, b) => (double)a * b).Sum();
        Assert.Equal(1.0, dot / (ClipEncoder.L2Norm(before) * norm), 1e-6);
        Assert.Equal(before, update);
    }

    [Fact]
    public void Encode_UpdateWithinClipNorm_Unchanged()
    {
        float[] update = [0.3f, -0.4f];

        var result = _encoder.Encode(update, Context(Tasks.Private(clipNorm: 0.6)));

        Assert.Same(update, result);
        Assert.Equal([0.3f, -0.4f], result);
    }

    [Fact]
    public void Encode_SessionWithoutPrivacy_Unchanged()
    {
        float[] update = [30f, -40f];

        Assert.Same(update, _encoder.Encode(update, Context(Tasks.NonPrivate())));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Encode_InvalidClipNorm_Throws(double clipNorm)
    {
        Assert.Throws<InvalidDataException>(() => _encoder.Encode([1f, 2f], Context(Tasks.Private(clipNorm: clipNorm))));
    }

    [Theory]
    [InlineData(float.NaN, false)]
    [InlineData(float.PositiveInfinity, false)]
    [InlineData(float.NegativeInfinity, true)]
    [InlineData(float.NaN, true)]
    public void Encode_NonFiniteResultInAPrivateRound_BecomesTheZeroUpdate_AndWarnsWithoutValues(float bad, bool secure)
    {
        var logger = new RecordingLogger();
        float[] update = [0.25f, bad, -3f];
        var task = secure ? Tasks.Secure() : Tasks.Private();

        var encoded = new ClipEncoder(logger).Encode(update, Context(task));

        // The zero-out neighbour's update: it is uploaded (noised and masked in secure mode) like any other.
        Assert.Equal(new float[3], encoded);
        var warning = Assert.Single(logger.Messages);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("not finite", warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("0.25", warning.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("NaN", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NonFiniteResultWithoutParticipantLevelPrivacy_PassesUnchanged_ForTheCoordinatorToRefuse()
    {
        float[] update = [1f, float.NaN];

        Assert.Same(update, new ClipEncoder(new RecordingLogger()).Encode(update, Context(Tasks.NonPrivate())));
    }

    [Fact]
    public void Default_ClipsFirst()
    {
        Assert.IsType<ClipEncoder>(UpdateEncoders.Default()[0]);
    }

    private static RoundContext Context(Protos.V1.RoundTask task) => new("p1", task, 100);

    private sealed class RecordingLogger : ILogger
    {
        public List<(LogLevel Level, string Text)> Messages { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Add((logLevel, formatter(state, exception)));
    }
}
