using FedLearn.Participant.Policy;
using FedLearn.Participant.Spending;
using Microsoft.Extensions.Time.Testing;

namespace FedLearn.Participant.Tests.Spending;

public sealed class SpendLogTests
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Append_ThenRead_RoundTripsEveryField()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"), new FakeTimeProvider(Start));
        var task = Tasks.Private(round: 2, epsilonSpent: 0.75);
        var decision = new PolicyDecision(true, "ok") { ProjectedEpsilon = 1.25, Accountant = "rdp" };

        var written = log.Append(task, "p1", decision);
        var nonPrivate = log.Append(Tasks.NonPrivate(sessionId: "session-2"), "p1", new PolicyDecision(true, "allowed"));

        var records = SpendLog.Read(log.Path);
        Assert.Equal([written, nonPrivate], records);
        Assert.Equal(new SpendRecord(Start, "p1", "session-1", 2, 1, "central_gaussian", 0.1, 1.1, 1.0, 1e-5, 8.0, 1.25, "rdp", 0.75), written);
        Assert.Equal("none", nonPrivate.Mechanism);
        Assert.Null(nonPrivate.Epsilon);
    }

    [Fact]
    public void Append_SecureRound_RecordsTheGuaranteeAgainstTheCoordinator()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"), new FakeTimeProvider(Start));
        var secure = new PolicyDecision(true, "ok") { ProjectedEpsilon = 0.5, Accountant = "rdp", Coordinator = new CoordinatorGuarantee(1.04, 4.7, null) };
        var central = new PolicyDecision(true, "ok") { ProjectedEpsilon = 0.5, Accountant = "rdp", Coordinator = CoordinatorGuarantee.None(CoordinatorAccounting.CentralNoise) };

        var written = log.Append(Tasks.Secure(), "p1", secure);
        log.Append(Tasks.Private(), "p1", central);

        Assert.Equal((1.04, 4.7, null), (written.CoordinatorNoiseMultiplier, written.EpsilonAgainstCoordinator, written.NoGuaranteeAgainstCoordinator));
        Assert.Equal(written, SpendLog.Read(log.Path)[0]);
        var lines = File.ReadAllLines(log.Path);
        Assert.Contains("\"coordinator_noise_multiplier\":1.04,\"epsilon_against_coordinator\":4.7,\"no_guarantee_against_coordinator\":null", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"epsilon_against_coordinator\":null,\"no_guarantee_against_coordinator\":\"central noise:", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Append_RecordsTheLedgerKeyTheTaskNamed()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"), new FakeTimeProvider(Start));
        var keyed = Tasks.Private();
        keyed.LedgerKeySha256 = new string('a', 64);

        var written = log.Append(keyed, "p1", new PolicyDecision(true, "ok"));
        var unkeyed = log.Append(Tasks.Private(round: 2), "p1", new PolicyDecision(true, "ok"));

        Assert.Equal(new string('a', 64), written.LedgerKeySha256);
        Assert.Null(unkeyed.LedgerKeySha256);
        Assert.Contains($"\"ledger_key_sha256\":\"{new string('a', 64)}\"", File.ReadAllLines(log.Path)[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LineWrittenBeforeTheCoordinatorFigures_StillReads()
    {
        using var directory = new TempDirectory();
        var path = directory.File("old.jsonl");
        File.WriteAllText(path, """{"time":"2025-03-01T12:00:00+00:00","participant_id":"p1","session_id":"s","round":1,"attempt":1,"mechanism":"none","sampling_rate":null,"noise_multiplier":null,"clip_norm":null,"delta":null,"epsilon_budget":null,"epsilon":null,"accountant":null,"coordinator_epsilon_spent":0,"example":null}""" + "\n");

        var record = Assert.Single(SpendLog.Read(path));

        Assert.Equal((null, null, null, null),
            (record.CoordinatorNoiseMultiplier, record.EpsilonAgainstCoordinator, record.NoGuaranteeAgainstCoordinator, record.LedgerKeySha256));
    }

    [Fact]
    public void Append_WritesOneSnakeCaseJsonLinePerRound()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"), new FakeTimeProvider(Start));

        log.Append(Tasks.Private(), "p1", new PolicyDecision(true, "ok") { ProjectedEpsilon = 0.5, Accountant = "rdp" });
        log.Append(Tasks.Private(round: 2), "p1", new PolicyDecision(true, "ok") { ProjectedEpsilon = 0.7, Accountant = "rdp" });

        var lines = File.ReadAllLines(log.Path);
        Assert.Equal(2, lines.Length);
        Assert.StartsWith("""{"time":"2025-03-01T12:00:00+00:00","participant_id":"p1","session_id":"session-1","round":1,""", lines[0], StringComparison.Ordinal);
        Assert.Contains("\"coordinator_epsilon_spent\":0", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Append_SeveralDaemonsSharingOneLog_LosesAndTearsNoLine()
    {
        // One SpendLog per writer, as separate daemons would have: each append opens the file on its own, so without an
        // inter-process lock two appends land at the same offset and overwrite each other (seen with ten demo daemons).
        using var directory = new TempDirectory();
        var path = directory.File("shared.jsonl");
        const int writers = 6;
        const int roundsEach = 150;
        using var done = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                SpendLog.Read(path); // never sees half a line: throws if it does
                reads++;
            }
        }, TestContext.Current.CancellationToken);

        Parallel.For(0, writers, new ParallelOptions { MaxDegreeOfParallelism = writers }, w =>
        {
            var log = SpendLog.Open(path);
            for (var round = 1; round <= roundsEach; round++)
            {
                log.Append(Tasks.Private(round: round), $"p{w}", new PolicyDecision(true, "ok") { ProjectedEpsilon = 0.5, Accountant = "rdp" });
            }
        });
        done.Cancel();
        await reader;

        var records = SpendLog.Read(path);
        Assert.Equal(writers * roundsEach, records.Count);
        Assert.Equal(writers * roundsEach, records.Select(r => (r.ParticipantId, r.Round)).Distinct().Count());
        Assert.True(reads > 0);
    }

    [Fact]
    public void Open_ExistingLog_AppendsWithoutTruncating()
    {
        using var directory = new TempDirectory();
        var path = directory.File("spent.jsonl");
        SpendLog.Open(path).Append(Tasks.Private(), "p1", new PolicyDecision(true, "ok"));

        SpendLog.Open(path).Append(Tasks.Private(round: 2), "p1", new PolicyDecision(true, "ok"));

        Assert.Equal([1, 2], SpendLog.Read(path).Select(r => r.Round));
    }

    [Fact]
    public void Open_NewLog_CreatesDirectoryAndOwnerOnlyFile()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "state", "spent.jsonl");

        SpendLog.Open(path);

        Assert.True(File.Exists(path));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public void Read_MalformedLine_NamesFileAndLine()
    {
        using var directory = new TempDirectory();
        var log = SpendLog.Open(directory.File("spent.jsonl"));
        log.Append(Tasks.Private(), "p1", new PolicyDecision(true, "ok"));
        File.AppendAllText(log.Path, "{\"time\": \"2025-03-01T12:00:00Z\", \"session_id\": \n");

        var e = Assert.Throws<InvalidDataException>(() => SpendLog.Read(log.Path));

        Assert.Contains($"'{log.Path}' line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_LineMissingAField_NamesLine()
    {
        using var directory = new TempDirectory();
        var path = directory.File("spent.jsonl");
        File.WriteAllText(path, "{\"time\":\"2025-03-01T12:00:00Z\",\"participant_id\":\"p1\",\"session_id\":\"s\"}\n");

        var e = Assert.Throws<InvalidDataException>(() => SpendLog.Read(path));

        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MissingFile_IsEmpty()
    {
        Assert.Empty(SpendLog.Read("/nonexistent/spent.jsonl"));
    }

    [Theory]
    [InlineData("/data/participant-00", "/data/fedlearn-spent.jsonl")]
    [InlineData("/data/participant-00/", "/data/fedlearn-spent.jsonl")]
    [InlineData("/x/train.csv", "/x/fedlearn-spent.jsonl")]
    public void DefaultPathFor_IsBesideTheData(string data, string expected)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix paths.");

        Assert.Equal(expected, SpendLog.DefaultPathFor(data));
    }
}
