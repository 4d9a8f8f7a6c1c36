namespace FedLearn.Training;

/// <summary>
/// Outcome of <see cref="DpSgdTrainer.Train"/>. Loss and accuracy are averaged over the examples sampled in the final
/// epoch, each measured before its batch's update; they are computed on private data and are not themselves
/// differentially private, so they are for the data owner's eyes only. <see cref="SamplingRate"/>,
/// <see cref="NoiseMultiplier"/> and <see cref="Steps"/> are what the accountant needs (<see cref="DpSgdAccounting"/>).
/// <see cref="SkippedBatches"/> counts the steps (included in <see cref="Steps"/>) whose batch exceeded B_max and released
/// nothing (FedLearn.Privacy's BatchSizeBound).
/// </summary>
public sealed record DpTrainingResult(
    double MeanLoss,
    double Accuracy,
    long ExamplesSeen,
    int Steps,
    int EmptyBatches,
    double SamplingRate,
    double NoiseMultiplier,
    int SkippedBatches = 0);
