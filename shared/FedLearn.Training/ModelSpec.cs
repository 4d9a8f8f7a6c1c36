using System.Globalization;

namespace FedLearn.Training;

/// <summary>
/// Architecture of a model. The flat weight vector holds, for each layer in order,
/// W (row-major [in, out]) then b ([out]); parameters are named W0, b0, W1, b1, ...
/// </summary>
public sealed record ModelSpec(
    ModelKind Kind,
    int InputSize,
    int NumClasses,
    IReadOnlyList<int> HiddenSizes,
    Activation Activation)
{
    // Copied on the way in so that a caller mutating its list cannot change a spec after the fact.
    public IReadOnlyList<int> HiddenSizes { get; init => field = Copy(value); } = Copy(HiddenSizes);

    /// <summary>Layer widths from input to output: [InputSize, ..HiddenSizes, NumClasses].</summary>
    public IReadOnlyList<int> LayerSizes => [InputSize, .. HiddenSizes, NumClasses];

    public int LayerCount => HiddenSizes.Count + 1;

    public IReadOnlyList<ParameterShape> Parameters
    {
        get
        {
            var sizes = LayerSizes;
            var result = new List<ParameterShape>(2 * LayerCount);
            for (var layer = 0; layer < LayerCount; layer++)
            {
                result.Add(new ParameterShape($"W{layer}", sizes[layer], sizes[layer + 1]));
                result.Add(new ParameterShape($"b{layer}", 1, sizes[layer + 1]));
            }

            return result;
        }
    }

    public int ParameterCount => Parameters.Sum(p => p.Size);

    /// <summary>Throws <see cref="ArgumentException"/> describing the first thing wrong with this spec.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Kind))
        {
            throw new ArgumentException($"Unknown model kind {(int)Kind}.", nameof(Kind));
        }

        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentException($"Unknown activation {(int)Activation}.", nameof(Activation));
        }

        if (InputSize <= 0)
        {
            throw new ArgumentException($"InputSize must be positive, got {InputSize}.", nameof(InputSize));
        }

        if (NumClasses < 2)
        {
            throw new ArgumentException($"NumClasses must be at least 2, got {NumClasses}.", nameof(NumClasses));
        }

        for (var i = 0; i < HiddenSizes.Count; i++)
        {
            if (HiddenSizes[i] <= 0)
            {
                throw new ArgumentException(
                    $"Hidden layer {i} must have a positive size, got {HiddenSizes[i]}.", nameof(HiddenSizes));
            }
        }

        if (Kind == ModelKind.SoftmaxRegression && HiddenSizes.Count != 0)
        {
            throw new ArgumentException(
                $"Softmax regression has no hidden layers, got {HiddenSizes.Count}.", nameof(HiddenSizes));
        }

        if (Kind == ModelKind.Mlp && HiddenSizes.Count == 0)
        {
            throw new ArgumentException("An MLP needs at least one hidden layer.", nameof(HiddenSizes));
        }

        // The flat vector is indexed by int; keep the count well inside it.
        long count = 0;
        var sizes = LayerSizes;
        for (var layer = 0; layer < LayerCount; layer++)
        {
            count += ((long)sizes[layer] + 1) * sizes[layer + 1];
        }

        if (count > Array.MaxLength)
        {
            throw new ArgumentException($"The model has {count} parameters, more than one array can hold.");
        }
    }

    /// <summary>
    /// Builds and validates a spec from command-line or config words: kind "softmax" | "mlp", activation "relu" | "tanh" |
    /// "sigmoid" (case-insensitive; empty or null means "relu", immaterial for softmax). The coordinator and the participants
    /// both read a session's model through this one method, so a model one accepts the other can run.
    /// </summary>
    public static ModelSpec Parse(string kind, int inputSize, int numClasses, IEnumerable<int> hidden, string? activation)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(hidden);
        activation = string.IsNullOrWhiteSpace(activation) ? "relu" : activation;

        var parsedKind = kind.Trim().ToLowerInvariant() switch
        {
            "softmax" => ModelKind.SoftmaxRegression,
            "mlp" => ModelKind.Mlp,
            _ => throw new ArgumentException($"Unknown model kind '{kind}'; expected 'softmax' or 'mlp'.", nameof(kind)),
        };
        var parsedActivation = activation.Trim().ToLowerInvariant() switch
        {
            "relu" => Activation.Relu,
            "tanh" => Activation.Tanh,
            "sigmoid" => Activation.Sigmoid,
            _ => throw new ArgumentException(
                $"Unknown activation '{activation}'; expected 'relu', 'tanh' or 'sigmoid'.", nameof(activation)),
        };

        var spec = new ModelSpec(parsedKind, inputSize, numClasses, hidden.ToArray(), parsedActivation);
        spec.Validate();
        return spec;
    }

    public bool Equals(ModelSpec? other) =>
        other is not null
        && Kind == other.Kind
        && InputSize == other.InputSize
        && NumClasses == other.NumClasses
        && Activation == other.Activation
        && HiddenSizes.SequenceEqual(other.HiddenSizes);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(InputSize);
        hash.Add(NumClasses);
        hash.Add(Activation);
        foreach (var size in HiddenSizes)
        {
            hash.Add(size);
        }

        return hash.ToHashCode();
    }

    /// <summary>E.g. "mlp 784-256-10 relu" or "softmax 784-10".</summary>
    public override string ToString()
    {
        var sizes = string.Join('-', LayerSizes.Select(s => s.ToString(CultureInfo.InvariantCulture)));
        return Kind == ModelKind.Mlp
            ? $"mlp {sizes} {Activation.ToString().ToLowerInvariant()}"
            : $"softmax {sizes}";
    }

    private static int[] Copy(IReadOnlyList<int> sizes)
    {
        ArgumentNullException.ThrowIfNull(sizes, nameof(HiddenSizes));
        return [.. sizes];
    }
}
