namespace FedLearn.Training;

/// <summary>
/// Local minibatch-SGD settings for one round of training. <see cref="ProximalMu"/> is FedProx's μ (Li et al. 2020,
/// "Federated Optimization in Heterogeneous Networks", eq. 2); 0 is plain SGD.
/// </summary>
public sealed record TrainingOptions(int Epochs, int BatchSize, double LearningRate, double ProximalMu = 0)
{
    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Epochs <= 0)
        {
            throw new ArgumentException($"Epochs must be positive, got {Epochs}.", nameof(Epochs));
        }

        if (BatchSize <= 0)
        {
            throw new ArgumentException($"BatchSize must be positive, got {BatchSize}.", nameof(BatchSize));
        }

        if (!double.IsFinite(LearningRate) || LearningRate <= 0)
        {
            throw new ArgumentException(
                $"LearningRate must be a positive finite number, got {LearningRate}.", nameof(LearningRate));
        }

        if (!double.IsFinite(ProximalMu) || ProximalMu < 0 || !(ProximalMu * LearningRate < 1))
        {
            throw new ArgumentException(
                $"ProximalMu must be a finite number ≥ 0 with ProximalMu · LearningRate < 1, got {ProximalMu}.", nameof(ProximalMu));
        }
    }
}
