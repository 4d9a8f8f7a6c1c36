namespace FedLearn.Benchmarks.Training;

/// <summary>How <see cref="QualityBenchmark"/> sets the learning rate of each epoch from the base rate.</summary>
public enum LearningRateSchedule
{
    /// <summary>The base rate throughout.</summary>
    Constant,

    /// <summary>
    /// Cosine annealing per epoch (Loshchilov &amp; Hutter 2017, "SGDR"): lr_e = lr · (1 + cos(π·e/E)) / 2 for epoch
    /// e = 0 … E−1, so late epochs take small steps and the final model does not sit on one noisy step's excursion.
    /// The schedule is public and data-independent, so it costs no privacy.
    /// </summary>
    Cosine,
}
