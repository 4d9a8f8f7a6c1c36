using System.Text.Json;
using FedLearn.IntegrationTests.Infrastructure;
using FedLearn.Training;

namespace FedLearn.IntegrationTests;

/// <summary>
/// `fedlearn-participant audit-examples` (docs/audit.md, "Example-level audit"): the built tool on an IDX dataset on disk,
/// with almost no noise (the canaries are told apart, ε_lower well above 0 and below the accountant's ε) and with bad input.
/// </summary>
public sealed class ExampleAuditCommandTests
{
    [Fact]
    public async Task AuditExamples_OnIdxData_PrintsTheBoundBesideTheAccountantsEpsilon_AndRefusesBadOptions()
    {
        // 300 records of 20×20 images whose lower half is empty (the quiet features the canaries go into), 10 classes.
        var random = new Random(11);
        var labels = Enumerable.Range(0, 300).Select(i => i % 10).ToArray();
        var features = new float[300 * 400];
        for (var i = 0; i < 300; i++)
        {
            for (var f = 0; f < 200; f++)
            {
                features[i * 400 + f] = (float)Math.Clamp(0.5 + 0.3 * Math.Sin(labels[i] + f) + 0.1 * random.NextDouble(), 0, 1);
            }
        }
        var directory = Directory.CreateTempSubdirectory("fedlearn-audit-examples-").FullName;
        try
        {
            IdxDatasetLoader.Write(new Dataset(features, labels, 400, 10),
                Path.Combine(directory, "train-images-idx3-ubyte.gz"), Path.Combine(directory, "train-labels-idx1-ubyte.gz"));

            var (exitCode, output) = await BuiltTool.RunParticipantToolAsync("audit-examples", "--data", directory, "--canaries", "200",
                "--guesses", "20", "--noise-multiplier", "0.05", "--batch-size", "50", "--epochs", "10", "--learning-rate", "0.5", "--json");

            Assert.True(exitCode == 0, output);
            using var json = JsonDocument.Parse(output.Split('\n').First(l => l.StartsWith('{')));
            var root = json.RootElement;
            Assert.Equal(40, root.GetProperty("guesses").GetInt32());
            Assert.True(root.GetProperty("correct").GetInt32() >= 30, output);
            Assert.True(root.GetProperty("epsilon_lower").GetDouble() > 0.5, output);
            Assert.True(root.GetProperty("epsilon_lower").GetDouble() <= root.GetProperty("epsilon_bound").GetDouble(), output);
            Assert.False(root.GetProperty("flagged").GetBoolean());

            var (badExit, badOutput) = await BuiltTool.RunParticipantToolAsync("audit-examples", "--data", directory, "--canaries", "10",
                "--guesses", "6", "--noise-multiplier", "1");
            Assert.Equal(2, badExit);
            Assert.Contains("guesses", badOutput, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
