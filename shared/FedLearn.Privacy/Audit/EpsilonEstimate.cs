namespace FedLearn.Privacy.Audit;

/// <summary>
/// One threat model's estimate: the Gaussians fitted to the inserted canaries' scores and to the null, the ε of the
/// Gaussian mechanism they imply at δ (<see cref="Epsilon"/>), and its lower confidence limit (<see cref="EpsilonLower"/>):
/// the (1 − confidence) quantile of the bootstrap estimates (Efron &amp; Tibshirani 1993, "An Introduction to the Bootstrap",
/// §13.3, the percentile interval, one-sided).
/// </summary>
public sealed record EpsilonEstimate(FittedGaussian Canaries, FittedGaussian Null, double Epsilon, double EpsilonLower, double Confidence, int Resamples);
