using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using FedLearn.SecureAggregation.Noise;

namespace FedLearn.Ledger.Tests;

/// <summary>
/// notebooks/ledger_audit.py re-implements the canonical encoding, chain and signature checks in Python from
/// docs/ledger.md alone. These tests hold it and the C# library to the same bytes: if either drifts from the
/// specification, an auditor's independent check and FedLearn's would disagree.
/// </summary>
public sealed class PythonAuditorTests
{
    private static readonly string Script = FindScript();

    [Theory]
    [InlineData("participant level", true, false)]
    [InlineData("both levels", true, true)]
    [InlineData("example level only", false, true)]
    public async Task Audit_LedgerFromTheCSharpSigner_VerifiesInPython(string _, bool participantLevel, bool exampleLevel)
    {
        var (document, signer) = exampleLevel ? TestLedger.BuildWithExampleLevel(4, participantLevel) : TestLedger.Build(4);

        var (exitCode, output) = await AuditAsync(document, signer.PublicKey);

        Assert.True(exitCode == 0, output);
        using var result = JsonDocument.Parse(output);
        Assert.True(result.RootElement.GetProperty("valid").GetBoolean());
        Assert.Equal(participantLevel, result.RootElement.GetProperty("summary").GetProperty("participant_level").ValueKind == JsonValueKind.Object);
        Assert.Equal(exampleLevel, result.RootElement.GetProperty("summary").GetProperty("example_level").ValueKind == JsonValueKind.Object);
    }

    [Fact]
    public async Task Audit_HeaderAnchoringTheInitialModelAndAnAuditCommitment_VerifiesInPython_AndAnEmptyFirstStepOffItIsNamed()
    {
        var (anchored, signer) = LedgerHeaderAnchorsTests.Build(emptyFirstStep: true);
        var (lying, liar) = LedgerHeaderAnchorsTests.Build(emptyFirstStep: true, firstModel: TestLedger.ModelSha(99));

        var (exitCode, output) = await AuditAsync(anchored, signer.PublicKey);
        var (lyingExit, lyingOutput) = await AuditAsync(lying, liar.PublicKey);

        Assert.True(exitCode == 0, output);
        Assert.Equal(anchored.Header.AuditCommitment, JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("audit_commitment").GetString());
        Assert.Equal(6, lyingExit);
        Assert.Equal([("empty_step_model_changed", 1L)], Problems(lyingOutput));
    }

    [Fact]
    public async Task Audit_EditedEntryAndForeignKey_NamedInPythonToo()
    {
        var (document, signer) = TestLedger.BuildWithExampleLevel(3, participantLevel: true);
        var edited = document.Replace(1, document.Entries[1] with { ExampleEpsilonMax = 0.1 }); // not re-hashed, not re-signed
        using var other = LedgerSigner.Create();

        var (exitCode, output) = await AuditAsync(edited, other.PublicKey);

        Assert.Equal(6, exitCode);
        var problems = JsonDocument.Parse(output).RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("kind").GetString(), p.GetProperty("sequence").ValueKind == JsonValueKind.Null ? (long?)null : p.GetProperty("sequence").GetInt64()))
            .ToHashSet();
        Assert.Contains(("public_key_mismatch", null), problems);
        Assert.Contains(("hash_mismatch", 2L), problems);
        Assert.All(new long[] { 1, 2, 3 }, s => Assert.Contains(("signature_invalid", (long?)s), problems));
    }

    [Fact]
    public async Task Audit_SecureAggregationLedgerWithEmptySteps_AgreesWithCSharp()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(4, 1, 2);

        var (exitCode, output) = await AuditAsync(document, signer.PublicKey);

        Assert.True(exitCode == 0, output);
        var participant = JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("participant_level");
        Assert.Equal("recorded", participant.GetProperty("against_coordinator").GetString());
        Assert.Equal(document.Entries[^1].EpsilonAgainstCoordinatorRdp, participant.GetProperty("recorded_epsilon_against_coordinator_rdp").GetDouble());
    }

    [Fact]
    public async Task Audit_Version2Ledger_RecomputesDeltaTotalLikeCSharp()
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(3, secure: true);

        var (exitCode, output) = await AuditAsync(document, signer.PublicKey);

        Assert.True(exitCode == 0, output);
        var participant = JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("participant_level");
        Assert.Equal(2, participant.GetProperty("accounting_version").GetInt32());
        Assert.Equal(document.Entries[^1].DeltaTotal, participant.GetProperty("recorded_delta_total").GetDouble());
    }

    [Fact]
    public async Task Audit_DeltaTotalWithoutTheSamplerResidue_IsUnderReportedInPythonToo()
    {
        var (document, signer) = TestLedger.BuildWithSamplerResidue(3, secure: true);
        var understated = document.WithEntries(document.Entries.Select(e => e with { DeltaTotalAgainstCoordinator = TestLedger.Delta }))
            .Resealed(signer);

        var (exitCode, output) = await AuditAsync(understated, signer.PublicKey);

        Assert.Equal(6, exitCode);
        Assert.Equal([("delta_total_under_reported", 1L), ("delta_total_under_reported", 2L), ("delta_total_under_reported", 3L)],
            Problems(output).OrderBy(p => p.Item2));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Audit_Version4Ledger_UnamplifiedFiguresPass_AndAmplifiedClaimsAreUnderReportedInPythonToo(bool secure)
    {
        var (honest, honestSigner) = LedgerReleaseConsumersTests.BuildVersion4(3, secure);
        var (claiming, claimingSigner) = LedgerReleaseConsumersTests.BuildVersion4(3, secure, claimAmplification: true);

        var (honestExit, honestOutput) = await AuditAsync(honest, honestSigner.PublicKey);
        var (claimingExit, claimingOutput) = await AuditAsync(claiming, claimingSigner.PublicKey);

        Assert.True(honestExit == 0, honestOutput);
        Assert.Equal(6, claimingExit);
        var flagged = Problems(claimingOutput).Where(p => p.Item1 == "epsilon_under_reported").Select(p => p.Item2!.Value).ToHashSet();
        Assert.Equal([1L, 2L, 3L], flagged.Order());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Audit_Version3Ledger_DerivesEveryFigureLikeCSharp(bool secure)
    {
        // The Python port of KLS 2021 Prop. 14, Δ₂ and the samplers' bounds must agree with the C# library within 1e-6.
        var (document, signer) = TestLedger.BuildWithNoiseInputs(3, secure, 1);

        var (exitCode, output) = await AuditAsync(document, signer.PublicKey);

        Assert.True(exitCode == 0, output);
        Assert.Equal(3, JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("participant_level").GetProperty("accounting_version").GetInt32());
    }

    [Theory]
    [InlineData(false, "dimension", "sensitivity_mismatch")]
    [InlineData(false, "grid_scale", "sensitivity_mismatch")]
    [InlineData(false, "integer_noise_variance", "noise_multiplier_mismatch")]
    [InlineData(false, "integer_noise_variance_up", "sampler_tv_distance_mismatch")]
    [InlineData(true, "grid_scale", "noise_multiplier_mismatch")]
    [InlineData(true, "integer_noise_variance", "noise_multiplier_mismatch")]
    [InlineData(true, "padded_dimension", "sensitivity_mismatch")]
    [InlineData(true, "padded_dimension", "sampler_tv_distance_mismatch")]
    [InlineData(true, "shamir_threshold", "noise_multiplier_mismatch")]
    [InlineData(true, "minimum_survivors", "noise_multiplier_mismatch")]
    [InlineData(true, "dropout_allowance", "noise_multiplier_mismatch")]
    [InlineData(true, "corruption_rate", "noise_multiplier_mismatch")]
    [InlineData(true, "participants_selected", "sampler_tv_distance_mismatch")]
    [InlineData(true, "participants_selected_up", "noise_multiplier_mismatch")]
    [InlineData(true, "sampler_tv_distance", "sampler_tv_distance_mismatch")]
    [InlineData(true, "noise_multiplier", "noise_multiplier_mismatch")]
    public async Task Audit_ResignedEntryWithATamperedInput_IsCaughtInPythonToo(bool secure, string input, string kind)
    {
        var tampered = LedgerNoiseInputsTests.Tampered(secure, input, out var signer);

        var (exitCode, output) = await AuditAsync(tampered, signer.PublicKey);

        Assert.Equal(6, exitCode);
        Assert.Contains((kind, 2L), Problems(output));
    }

    [Fact]
    public async Task Audit_Version6Ledger_DerivesTheColluderBoundLikeCSharp()
    {
        // The Python c(n) (lgamma pmf, its own summation) must give the C# ColluderBound's 19 for n = 50, ρ = 0.05, 2⁻⁴⁰,
        // and its delta_total must add Σ δ_c.
        var (document, signer) = LedgerColluderBoundTests.BuildVersion6(3);

        var (exitCode, output) = await AuditAsync(document, signer.PublicKey);

        Assert.True(exitCode == 0, output);
        Assert.Equal(6, JsonDocument.Parse(output).RootElement.GetProperty("summary").GetProperty("participant_level").GetProperty("accounting_version").GetInt32());
    }

    [Theory]
    [InlineData("assumed_colluders", "assumed_colluders_mismatch")]
    [InlineData("colluder_tail_probability", "assumed_colluders_mismatch")]
    [InlineData("colluder_tail_probability", "delta_total_under_reported")]
    [InlineData("corruption_rate", "noise_multiplier_mismatch")]
    [InlineData("delta_total", "delta_total_under_reported")]
    [InlineData("noise_multiplier", "noise_multiplier_mismatch")]
    [InlineData("missing", "level_mismatch")]
    public async Task Audit_ResignedEntryWithATamperedColluderBound_IsCaughtInPythonToo(string member, string kind)
    {
        var tampered = LedgerColluderBoundTests.Tampered(member, out var signer);

        var (exitCode, output) = await AuditAsync(tampered, signer.PublicKey);

        Assert.Equal(6, exitCode);
        Assert.Contains((kind, 2L), Problems(output));
    }

    [Fact]
    public async Task ColluderBound_PythonEqualsCSharp_OverCohortsAndFractions()
    {
        var cases = (from n in new[] { 1, 3, 10, 12, 20, 50, 100, 333, 1000, 5000 }
                     from rho in new[] { 0.0, 0.01, 0.05, 0.1, 0.3 }
                     select (n, rho)).ToList();

        var (exitCode, output) = await RunPythonAsync(
            ["-c", "import sys; sys.path.insert(0, sys.argv[1]); import ledger_audit as a; " +
                   "print(' '.join(str(a.colluders(int(n), float(r), 2.0 ** -40)) for n, r in zip(sys.argv[2::2], sys.argv[3::2])))",
             Path.GetDirectoryName(Script)!, .. cases.SelectMany(c => new[] { c.n.ToString(CultureInfo.InvariantCulture), c.rho.ToString("R", CultureInfo.InvariantCulture) })]);

        Assert.True(exitCode == 0, output);
        Assert.Equal(cases.Select(c => ColluderBound.Colluders(c.n, c.rho).ToString(CultureInfo.InvariantCulture)), output.Trim().Split(' '));
    }

    [Fact]
    public async Task Audit_EditedEpsilonAgainstTheCoordinatorAndRelabelledHeader_NamedInPythonToo()
    {
        var (document, signer) = TestLedger.BuildSecureAggregation(2);
        var edited = document.Replace(1, document.Entries[1] with { EpsilonAgainstCoordinatorRdp = 0.1 })
            with { Header = document.Header with { AgainstCoordinator = LedgerAdversaries.CoordinatorTrusted } };

        var (exitCode, output) = await AuditAsync(edited, signer.PublicKey);

        Assert.Equal(6, exitCode);
        var problems = Problems(output);
        Assert.Contains(("hash_mismatch", 2L), problems);
        Assert.Contains(("broken_link", 1L), problems);
        Assert.Contains(("level_mismatch", 1L), problems);
    }

    [Theory]
    [InlineData("\"entry_hash\":", "\"surprise\": 1, \"entry_hash\":", "unknown member(s): surprise")]
    [InlineData("\"sequence\": 1,", "\"sequence\": 1.0,", "must be an integer")]
    [InlineData("\"sampling_rate\": 0.5,", "\"sampling_rate\": NaN,", "NaN")]
    [InlineData("\"checkpoints\": [", "\"extra\": [], \"checkpoints\": [", "unknown member(s): extra")]
    public async Task Audit_MalformedExport_ExitsTwoNamingTheProblem(string find, string replace, string message)
    {
        var (document, signer) = TestLedger.Build(1);
        var json = LedgerJson.Serialize(document);
        Assert.Contains(find, json, StringComparison.Ordinal);

        var (exitCode, output) = await AuditTextAsync(json.Replace(find, replace, StringComparison.Ordinal), signer.PublicKey);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, output, StringComparison.Ordinal);
    }

    internal static HashSet<(string?, long?)> Problems(string output) =>
        JsonDocument.Parse(output).RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => (p.GetProperty("kind").GetString(), p.GetProperty("sequence").ValueKind == JsonValueKind.Null ? (long?)null : p.GetProperty("sequence").GetInt64()))
            .ToHashSet();

    [Fact]
    public async Task CanonicalNumber_PythonLayoutEqualsTheCSharpEncoding_ForAWideSpreadOfDoubles()
    {
        var random = new Random(20261124);
        var values = new List<double> { 1e-5, 0.1 + 0.2, 1e16, 1e17, 5e-324, double.MaxValue, 0.0001, 0.00001, 123.456, 100, 2.5e-5, 1.2345678901234567e16 };
        for (var i = 0; i < 400; i++)
        {
            values.Add((random.NextDouble() + 0.01) * Math.Pow(10, random.Next(-30, 30)) * (i % 7 == 0 ? -1 : 1));
        }
        var arguments = values.Select(v => v.ToString("R", CultureInfo.InvariantCulture)).ToArray();

        var (exitCode, output) = await RunPythonAsync(
            ["-c", "import sys; sys.path.insert(0, sys.argv[1]); import ledger_audit as a; print(' '.join(a.canonical_number(float(x)) for x in sys.argv[2:]))",
             Path.GetDirectoryName(Script)!, .. arguments]);

        Assert.True(exitCode == 0, output);
        var python = output.Trim().Split(' ');
        var csharp = values.Select(v => Canonical(v)).ToArray();
        Assert.Equal(csharp, python);
    }

    /// <summary>The C# canonical text of a number, cut out of an encoded header.</summary>
    private static string Canonical(double value)
    {
        var bytes = LedgerCanonicalEncoding.Encode(new LedgerHeader("s", TestLedger.Start, value, null, null, "k"));
        var text = System.Text.Encoding.UTF8.GetString(bytes);
        var start = text.IndexOf("\"epsilon_budget\":", StringComparison.Ordinal) + "\"epsilon_budget\":".Length;
        return text[start..text.IndexOf(',', start)];
    }

    internal static Task<(int ExitCode, string Output)> AuditAsync(LedgerDocument document, string publicKey) =>
        AuditTextAsync(LedgerJson.Serialize(document), publicKey);

    private static async Task<(int ExitCode, string Output)> AuditTextAsync(string json, string publicKey)
    {
        var file = Path.Combine(Path.GetTempPath(), $"fedlearn-ledger-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, json, TestContext.Current.CancellationToken);
        try
        {
            return await RunPythonAsync([Script, file, "--public-key", publicKey, "--json"]);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string[] arguments)
    {
        // Debian's interpreter, where scripts/test.sh installs python3-cryptography.
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1"; // no __pycache__ in the source tree
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start /usr/bin/python3.");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        var stderr = await error;
        return (process.ExitCode, await output + (stderr.Length > 0 ? "\n" + stderr : ""));
    }

    private static string FindScript()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "notebooks", "ledger_audit.py");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new FileNotFoundException("notebooks/ledger_audit.py was not found above the test build.");
    }
}
