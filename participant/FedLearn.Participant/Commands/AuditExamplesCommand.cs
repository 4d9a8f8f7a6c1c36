using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using FedLearn.Privacy;
using FedLearn.Training;

namespace FedLearn.Participant.Commands;

/// <summary>
/// <c>fedlearn-participant audit-examples</c>: the example-level audit of DP-SGD on the data owner's own data, with one local
/// training run (<see cref="ExampleCanaryAudit"/>; docs/audit.md, "Example-level audit"). Nothing is sent anywhere: the run,
/// its model and the canaries stay in this process. Exit codes: 0 ε_lower ≤ ε_bound, 6 flagged (ε_lower above the
/// accountant's ε), 2 invalid input, 1 the data could not be read.
/// </summary>
internal static class AuditExamplesCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Directory with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz] (the participant's data).", Required = true };
        var canaries = new Option<int>("--canaries") { Description = "m: canary records, each included with probability ½.", DefaultValueFactory = _ => 1000 };
        var guesses = new Option<int>("--guesses") { Description = "k: the auditor guesses 'in' for the k highest scores and 'out' for the k lowest (fixed before training).", DefaultValueFactory = _ => 100 };
        var sigma = new Option<double>("--noise-multiplier") { Description = "DP-SGD σ.", Required = true };
        var clip = new Option<double>("--clip-norm") { Description = "DP-SGD per-example clip norm C.", DefaultValueFactory = _ => 1.0 };
        var batch = new Option<int>("--batch-size") { Description = "Expected Poisson batch size B (q = B/N, N including the m canary slots).", DefaultValueFactory = _ => 64 };
        var epochs = new Option<int>("--epochs") { Description = "Epochs of ⌈N/B⌉ steps.", DefaultValueFactory = _ => 1 };
        var rate = new Option<double>("--learning-rate") { DefaultValueFactory = _ => 0.1, Description = "SGD step size." };
        var hidden = new Option<int[]>("--hidden") { Description = "Hidden layer sizes of an MLP; default none (softmax regression).", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
        var delta = new Option<double>("--delta") { DefaultValueFactory = _ => 1e-5, Description = "δ of both ε figures." };
        var confidence = new Option<double>("--confidence") { DefaultValueFactory = _ => 0.95, Description = "Of the lower bound." };
        var seed = new Option<long>("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the initial weights (the canaries and inclusions always come from the CSPRNG)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("audit-examples",
            "Audit DP-SGD at the example level with one local training run: insert canary records with probability ½, train, guess which were in, and turn the correct guesses into an ε lower bound beside the accountant's ε.")
        {
            data, canaries, guesses, sigma, clip, batch, epochs, rate, hidden, delta, confidence, seed, json,
        };
        command.SetAction((parse, ct) =>
        {
            DpSgdOptions training;
            ExampleAuditOptions audit;
            try
            {
                training = new DpSgdOptions(parse.GetValue(epochs), parse.GetValue(batch), parse.GetValue(rate), parse.GetValue(clip), parse.GetRequiredValue(sigma));
                training.Validate();
                var k = parse.GetValue(guesses);
                audit = new ExampleAuditOptions(parse.GetValue(canaries), k, k, parse.GetValue(confidence), parse.GetValue(delta));
                audit.Validate();
            }
            catch (ArgumentException e)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(2);
            }
            Dataset dataset;
            try
            {
                dataset = IdxDatasetLoader.LoadDirectory(parse.GetRequiredValue(data), "train");
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return Task.FromResult(1);
            }
            var spec = ModelSpec.Parse(parse.GetValue(hidden) is { Length: > 0 } ? "mlp" : "softmax", dataset.FeatureSize, dataset.NumClasses,
                parse.GetValue(hidden) ?? [], "relu");
            using var trainer = new DpSgdTrainer(spec);
            var result = ExampleCanaryAudit.Run(trainer, ModelInitializer.Initialize(spec, parse.GetValue(seed)), dataset, training, audit, ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(new
                {
                    canaries = result.Canaries, included = result.Included, guesses = result.Guesses, correct = result.Correct,
                    confidence = result.Confidence, delta = result.Delta, epsilon_lower = result.EpsilonLower, epsilon_bound = result.EpsilonBound,
                    flagged = result.Flagged, steps = result.Training.Steps, sampling_rate = result.Training.SamplingRate,
                    noise_multiplier = result.Training.NoiseMultiplier, examples = dataset.Count,
                }));
            }
            else
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"""
                    example-level audit (one run; Steinke, Nasr & Jagielski 2023): {dataset.Count} records + {result.Canaries} canaries ({result.Included} included), {result.Training.Steps} DP-SGD steps at q = {result.Training.SamplingRate:G4}, σ = {result.Training.NoiseMultiplier:G4}
                    guesses          {result.Guesses} ({result.Guesses / 2} 'in' for the highest scores, {result.Guesses / 2} 'out' for the lowest), {result.Correct} correct
                    ε_lower          {result.EpsilonLower:F3} at {result.Confidence:P1} confidence, δ = {result.Delta:G3}
                    ε_bound          {result.EpsilonBound:F3} (the RDP accountant's ε of this run at the same δ)
                    VERDICT: {(result.Flagged ? "FLAGGED: the canaries are more distinguishable than the accountant's ε allows." : "pass: ε_lower is not above ε_bound (an audit can find an understatement, never prove a bound).")}
                    """));
            }
            return Task.FromResult(result.Flagged ? 6 : 0);
        });
        return command;
    }
}
