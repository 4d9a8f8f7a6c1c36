using System.Text.Json;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Protos.V1;
using Npgsql;

namespace FedLearn.IntegrationTests;

/// <summary>A real federation that has run a plain and a private session, shared by the tests that analyse its store.</summary>
public sealed class AnalysedFederation : IAsyncLifetime
{
    public const int Rounds = 3;

    internal TestFederation Federation { get; private set; } = null!;

    public SessionStatus Plain { get; private set; } = null!;

    public SessionStatus Private { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Federation = await TestFederation.StartAsync(participants: 6, examplesEach: 80, idPrefix: "nb");
        Plain = await RunSessionAsync("plain", privacy: null);
        Private = await RunSessionAsync("private", new PrivacyConfig
        {
            EpsilonBudget = 50, Delta = 1e-5, Accountant = "rdp", NoiseMultiplier = 1.0, ClipNorm = 1.0, SamplingRate = 0.5, CentralNoise = true,
        });
    }

    public ValueTask DisposeAsync() => Federation.DisposeAsync();

    private async Task<SessionStatus> RunSessionAsync(string name, PrivacyConfig? privacy)
    {
        var admin = Federation.Coordinator.Admin;
        var config = Sessions.Config(SyntheticData.Features, SyntheticData.Classes, rounds: Rounds, perRound: 6, min: 2, deadlineSeconds: 20);
        config.Name = name;
        config.Privacy = privacy;
        var created = await admin.CreateSessionAsync(new CreateSessionRequest { Config = config });
        await admin.StartSessionAsync(new SessionRequest { SessionId = created.SessionId });
        var final = await Sessions.WatchUntilFinishedAsync(admin, created.SessionId, TimeSpan.FromSeconds(120));
        Assert.Equal(SessionState.Completed, final.State);
        return created;
    }
}

/// <summary>
/// What analysts and engineers read about sessions, checked against the store a real federation filled: the notebooks in
/// notebooks/ executed by Debian's jupyter through the read-only role notebooks/reader_role.sql makes, and
/// <c>fedlearn session report</c>'s HTML page. What each says it plotted must be what the database holds.
/// </summary>
public sealed class SessionAnalysisTests(AnalysedFederation analysed) : IClassFixture<AnalysedFederation>
{
    private const string ReaderRole = "fedlearn_test_reader";
    private const int Rounds = AnalysedFederation.Rounds;

    private readonly TestFederation _federation = analysed.Federation;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private TestCoordinator Coordinator => _federation.Coordinator;

    [Fact]
    public async Task Notebooks_RunAgainstARealStore_ShowWhatTheDatabaseHolds_AndFailOnATamperedLedger()
    {
        Assert.True(File.Exists("/usr/bin/jupyter"), "jupyter is not installed: scripts/test.sh installs it (jupyter-nbconvert, python3-ipykernel, python3-pandas, python3-matplotlib, python3-psycopg2).");
        var (plain, @private) = (analysed.Plain, analysed.Private);
        var ledgerExport = Path.Combine(_federation.DataDirectory, "ledger.json");
        var exported = await BuiltTool.RunCliAsync("ledger", "export", @private.SessionId, "--coordinator", Coordinator.Address.ToString(), "--out", ledgerExport);
        Assert.True(exported.ExitCode == 0, exported.Output);
        var reader = await CreateReaderAsync();
        var output = KeptDirectory("notebooks");
        Dictionary<string, string> Environment(string session, string export) => new()
        {
            ["FEDLEARN_NOTEBOOK_DB"] = reader, ["FEDLEARN_NOTEBOOK_OUT"] = output, ["FEDLEARN_SESSION"] = session,
            ["FEDLEARN_LEDGER_EXPORT"] = export, ["FEDLEARN_LEDGER_KEY"] = @private.LedgerPublicKey,
        };

        // Learning curves of the plain session: the rounds and accuracies the database committed.
        await RunNotebookAsync("session_curves", output, Environment(plain.SessionId, ledgerExport));
        var curves = Summary(output, $"curves-{plain.SessionId}.json");
        var committed = await QueryAsync("SELECT round, test_accuracy FROM rounds WHERE session_id = $1 AND outcome = 'committed' ORDER BY round", plain.SessionId);
        Assert.Equal(Enumerable.Range(1, Rounds), Ints(curves, "rounds"));
        Assert.Equal(committed.Select(r => (double)r[1]), Doubles(curves, "test_accuracy"));
        AssertFigure(curves);

        // ε per round of the private session under each accountant, and its ledger verified independently.
        await RunNotebookAsync("privacy_spend", output, Environment(@private.SessionId, ledgerExport));
        var spend = Summary(output, $"privacy-{@private.SessionId}.json");
        var entries = await QueryAsync("SELECT round, epsilon_rdp, epsilon_pld FROM ledger_entries WHERE session_id = $1 ORDER BY sequence", @private.SessionId);
        Assert.Equal(Enumerable.Range(1, Rounds), Ints(spend, "rounds"));
        Assert.Equal(entries.Select(e => (double)e[1]), Doubles(spend, "epsilon_rdp"));
        Assert.Equal(entries.Select(e => (double)e[2]), Doubles(spend, "epsilon_pld"));
        Assert.Equal(0, spend.GetProperty("ledger_problems").GetArrayLength());
        Assert.Equal(0, spend.GetProperty("entries_without_their_checkpoint").GetInt32());
        AssertFigure(spend);

        // Every attempt of the private session, as round_attempts holds them.
        await RunNotebookAsync("participation", output, Environment(@private.SessionId, ledgerExport));
        var participation = Summary(output, $"participation-{@private.SessionId}.json");
        var attempts = await QueryAsync("SELECT participants_selected FROM round_attempts WHERE session_id = $1 ORDER BY round, attempt", @private.SessionId);
        Assert.Equal(attempts.Select(a => (int)a[0]), Ints(participation, "sampled"));
        AssertFigure(participation);

        // Both sessions side by side, each with its final accuracy; only the private one with an ε.
        await RunNotebookAsync("compare_sessions", output, Environment(plain.SessionId, ledgerExport));
        var comparison = Summary(output, "compare-sessions.json");
        var sessions = comparison.GetProperty("sessions").EnumerateArray().ToDictionary(s => s.GetProperty("session_id").GetString()!);
        Assert.Equal(new[] { plain.SessionId, @private.SessionId }.Order(), sessions.Keys.Order());
        Assert.Equal((double)committed[^1][1], sessions[plain.SessionId].GetProperty("final_accuracy").GetDouble());
        Assert.Equal(JsonValueKind.Null, sessions[plain.SessionId].GetProperty("epsilon_rdp").ValueKind);
        Assert.Equal((double)entries[^1][1], sessions[@private.SessionId].GetProperty("epsilon_rdp").GetDouble());
        AssertFigure(comparison);

        // An export whose ε was lowered after signing fails the privacy notebook.
        var tampered = Path.Combine(_federation.DataDirectory, "tampered.json");
        var document = System.Text.Json.Nodes.JsonNode.Parse(await File.ReadAllTextAsync(ledgerExport, Ct))!;
        var epsilon = document["entries"]![0]!["epsilon_rdp"]!.GetValue<double>();
        document["entries"]![0]!["epsilon_rdp"] = epsilon / 2;
        await File.WriteAllTextAsync(tampered, document.ToJsonString(), Ct);
        var failed = await BuiltTool.RunNotebookAsync("notebooks/privacy_spend.ipynb", output, Environment(@private.SessionId, tampered));
        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("the ledger export does not verify", failed.Output, StringComparison.Ordinal);

        // The notebooks' role reads what they show and nothing else.
        await using var readerConnection = new NpgsqlConnection(reader);
        await readerConnection.OpenAsync(Ct);
        await using var identities = new NpgsqlCommand("SELECT count(*) FROM identities", readerConnection);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => identities.ExecuteScalarAsync(Ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);
    }

    [Fact]
    public async Task SessionReport_DrawsTheRoundsAndTheLedgerTheCoordinatorHolds()
    {
        var address = Coordinator.Address.ToString();
        var page = Path.Combine(KeptDirectory("report"), "report.html");
        var written = await BuiltTool.RunCliAsync("session", "report", analysed.Private.SessionId, "--coordinator", address, "--out", page);
        Assert.True(written.ExitCode == 0, written.Output);
        Assert.Contains($"{Rounds} rounds, {Rounds} ledger entries", written.Output, StringComparison.Ordinal);

        var html = await File.ReadAllTextAsync(page, Ct);
        var data = ReportData(html);
        var committed = await QueryAsync("SELECT round, test_accuracy, test_loss FROM rounds WHERE session_id = $1 AND outcome = 'committed' ORDER BY round", analysed.Private.SessionId);
        var entries = await QueryAsync("SELECT round, epsilon_rdp, epsilon_pld FROM ledger_entries WHERE session_id = $1 ORDER BY sequence", analysed.Private.SessionId);
        Assert.Equal(Enumerable.Range(1, Rounds), Ints(data, "rounds"));
        Assert.Equal(committed.Select(r => (double)r[1]), Doubles(data, "test_accuracy"));
        Assert.Equal(committed.Select(r => (double)r[2]), Doubles(data, "test_loss"));
        Assert.Equal(entries.Select(e => (double)e[1]), Doubles(data, "epsilon_rdp"));
        Assert.Equal(entries.Select(e => (double)e[2]), Doubles(data, "epsilon_pld"));
        Assert.Equal(50, data.GetProperty("epsilon_budget").GetDouble());
        // Three charts (accuracy, loss, ε) each with one drawn point per round, and the budget line.
        Assert.Equal(3, CountOf(html, "<svg "));
        Assert.Equal(Rounds * (2 + 2), CountOf(html, "<circle "));
        Assert.Contains("budget ε = 50", html, StringComparison.Ordinal);
        // The δ the figures truly hold at, with the samplers' error paid (ledger accounting version 2 and later), per round and
        // in the summary line, which names its adversary.
        var deltaTotals = await QueryAsync("SELECT delta_total FROM ledger_entries WHERE session_id = $1 ORDER BY sequence", analysed.Private.SessionId);
        Assert.Equal(deltaTotals.Select(e => (double)e[0]), Doubles(data, "delta_total"));
        Assert.Contains("the guarantee against release consumers holds at δ_total = ", html, StringComparison.Ordinal);

        // A plain session's page has no ε chart and says there is no guarantee; an unknown session is NOT_FOUND (exit 4).
        var plainPage = Path.Combine(_federation.DataDirectory, "plain.html");
        var plain = await BuiltTool.RunCliAsync("session", "report", analysed.Plain.SessionId, "--coordinator", address, "--out", plainPage);
        Assert.True(plain.ExitCode == 0, plain.Output);
        var plainHtml = await File.ReadAllTextAsync(plainPage, Ct);
        Assert.Equal(2, CountOf(plainHtml, "<svg "));
        Assert.Contains("NO differential-privacy guarantee", plainHtml, StringComparison.Ordinal);
        var missing = await BuiltTool.RunCliAsync("session", "report", "s-000000000000", "--coordinator", address, "--out", plainPage);
        Assert.Equal(4, missing.ExitCode);
    }

    /// <summary>Where pictures go: under FEDLEARN_TEST_LOG_DIR when it is set, so a person can look at them afterwards.</summary>
    private string KeptDirectory(string name)
    {
        var keep = System.Environment.GetEnvironmentVariable("FEDLEARN_TEST_LOG_DIR");
        return Directory.CreateDirectory(Path.Combine(string.IsNullOrEmpty(keep) ? _federation.DataDirectory : keep, name)).FullName;
    }

    private static JsonElement ReportData(string html)
    {
        const string start = "<script type=\"application/json\" id=\"fedlearn-report-data\">";
        var from = html.IndexOf(start, StringComparison.Ordinal) + start.Length;
        var to = html.IndexOf("</script>", from, StringComparison.Ordinal);
        Assert.True(from >= start.Length && to > from, "the report has no data block");
        return JsonDocument.Parse(html[from..to]).RootElement;
    }

    private static int CountOf(string text, string what)
    {
        var count = 0;
        for (var at = text.IndexOf(what, StringComparison.Ordinal); at >= 0; at = text.IndexOf(what, at + what.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    /// <summary>A login role granted exactly what notebooks/reader_role.sql grants; its connection string.</summary>
    private async Task<string> CreateReaderAsync()
    {
        var database = _federation.Database;
        await using (var admin = await database.DataSource.OpenConnectionAsync(Ct))
        {
            await TestDatabase.EnsureLoginRoleAsync(admin, ReaderRole);
        }
        var script = await File.ReadAllTextAsync(BuiltTool.RepositoryFile("notebooks/reader_role.sql"), Ct);
        await using (var grant = database.DataSource.CreateCommand(script.Replace(":\"reader\"", $"\"{ReaderRole}\"", StringComparison.Ordinal)))
        {
            await grant.ExecuteNonQueryAsync(Ct);
        }
        return new NpgsqlConnectionStringBuilder(database.ConnectionString) { Username = ReaderRole, Password = ReaderRole }.ConnectionString;
    }

    private static async Task RunNotebookAsync(string name, string output, IReadOnlyDictionary<string, string> environment)
    {
        var run = await BuiltTool.RunNotebookAsync($"notebooks/{name}.ipynb", output, environment);
        Assert.True(run.ExitCode == 0, $"{name}.ipynb failed:\n{run.Output}");
    }

    private async Task<List<object[]>> QueryAsync(string sql, string sessionId)
    {
        await using var command = _federation.Database.DataSource.CreateCommand(sql);
        command.Parameters.AddWithValue(sessionId);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        var rows = new List<object[]>();
        while (await reader.ReadAsync(Ct))
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }

    private static JsonElement Summary(string directory, string name) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, name))).RootElement;

    private static IEnumerable<int> Ints(JsonElement summary, string property) =>
        summary.GetProperty(property).EnumerateArray().Select(e => e.GetInt32()).ToList();

    private static IEnumerable<double> Doubles(JsonElement summary, string property) =>
        summary.GetProperty(property).EnumerateArray().Select(e => e.GetDouble()).ToList();

    /// <summary>The figure the notebook names exists and is a PNG with something drawn in it.</summary>
    private static void AssertFigure(JsonElement summary)
    {
        var figure = summary.GetProperty("figure").GetString()!;
        var bytes = File.ReadAllBytes(figure);
        Assert.True(bytes.Length > 10_000, $"{figure} is {bytes.Length} bytes");
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], bytes[..4]);
    }
}
