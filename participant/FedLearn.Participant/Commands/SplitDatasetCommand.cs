using System.CommandLine;
using FedLearn.Training;

namespace FedLearn.Participant.Commands;

/// <summary>
/// <c>fedlearn-participant split-dataset</c>: deals an IDX training set into label-skewed shards (Dirichlet(α) per class),
/// one directory per participant, to simulate data owners with different data (the demo's ten, or a population of thousands
/// for <c>simulate</c>: 3000 parts of Fashion-MNIST's 60,000 give about 20 examples each).
/// </summary>
internal static class SplitDatasetCommand
{
    private const int MaxParts = 100_000;

    /// <summary>Up to this many shards each get a line with its class histogram; more get one summary line.</summary>
    private const int ListedParts = 100;

    public static Command Create()
    {
        var source = new Option<string>("--source") { Description = "Directory with train-images-idx3-ubyte[.gz] and train-labels-idx1-ubyte[.gz].", Required = true };
        var parts = new Option<int>("--parts") { Description = "Number of shards.", Required = true };
        var alpha = new Option<double>("--alpha") { Description = "Dirichlet concentration: small is more skewed.", DefaultValueFactory = _ => 0.5 };
        var seed = new Option<long>("--seed") { Description = "Seed of the split, for a reproducible simulation.", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out")
        {
            Description = "Output directory; shard i goes to <out>/participant-<i>, i zero-padded to at least two digits so the shards sort in order.",
            Required = true,
        };
        var command = new Command("split-dataset", "Split an IDX training set into Dirichlet label-skewed shards.") { source, parts, alpha, seed, output };
        command.SetAction(parse =>
        {
            var count = parse.GetValue(parts);
            var concentration = parse.GetValue(alpha);
            if (count is < 1 or > MaxParts || !(concentration > 0 && double.IsFinite(concentration)))
            {
                Console.Error.WriteLine($"error: --parts must be between 1 and {MaxParts} and --alpha a positive number.");
                return 2;
            }
            try
            {
                var dataset = IdxDatasetLoader.LoadDirectory(parse.GetRequiredValue(source), "train");
                if (dataset.Count < count)
                {
                    Console.Error.WriteLine($"error: {dataset.Count} examples cannot make {count} non-empty shards.");
                    return 2;
                }
                var width = Math.Max(2, (count - 1).ToString(System.Globalization.CultureInfo.InvariantCulture).Length);
                var shards = DirichletPartitioner.Partition(dataset.Labels, dataset.NumClasses, count, concentration, parse.GetValue(seed));
                for (var i = 0; i < shards.Length; i++)
                {
                    var directory = Path.Combine(parse.GetRequiredValue(output), "participant-" + i.ToString("D" + width, System.Globalization.CultureInfo.InvariantCulture));
                    Directory.CreateDirectory(directory);
                    var shard = dataset.Subset(shards[i]);
                    IdxDatasetLoader.Write(shard,
                        Path.Combine(directory, "train-images-idx3-ubyte.gz"), Path.Combine(directory, "train-labels-idx1-ubyte.gz"));
                    if (shards.Length <= ListedParts)
                    {
                        var histogram = string.Join(' ', Enumerable.Range(0, dataset.NumClasses).Select(c => shard.Labels.Count(l => l == c)));
                        Console.WriteLine($"{directory}: {shard.Count} examples; per class: {histogram}");
                    }
                }
                if (shards.Length > ListedParts)
                {
                    var sizes = shards.Select(s => s.Length).Order().ToArray();
                    Console.WriteLine($"{shards.Length} shards in {parse.GetRequiredValue(output)}: {sizes[0]} to {sizes[^1]} examples each, median {sizes[sizes.Length / 2]}.");
                }
                return 0;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException)
            {
                Console.Error.WriteLine($"error: {e.Message}");
                return 1;
            }
        });
        return command;
    }
}
