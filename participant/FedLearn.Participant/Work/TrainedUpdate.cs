using FedLearn.Participant.Spending;
using FedLearn.Protos.V1;
using FedLearn.Training;

namespace FedLearn.Participant.Work;

/// <summary>
/// The last DP-SGD update this participant trained for, kept (before any encoder ran over it) so that when the coordinator
/// loses the attempt it was sent for — a crash, an abort — and asks again, the participant sends the same result instead
/// of training, and spending its records' budget, once more (issue 9 item 6: a crash loop would otherwise exhaust the
/// budget σ was calibrated for). It fits a task of the same session that asks for the same training on the same model
/// (by SHA-256): the rerun of a lost attempt under its new number or, in a participant-level private session, the next
/// round after one committed unchanged. Training again would draw fresh noise for a release of the same kind; sending
/// one result twice is post-processing of it (ExampleLevelAccounting.Resent).
/// </summary>
internal sealed record TrainedUpdate(
    string SessionId, string ModelSha256, LocalTrainingConfig Training, ExamplePrivacyParameters ExamplePrivacy, int PlannedRounds,
    float[] Update, TrainingResult Result, ExampleSpend Spend, int Round, int Attempt)
{
    public static TrainedUpdate Of(RoundTask task, float[] update, TrainingResult result, ExampleSpend spend) =>
        new(task.SessionId, task.ModelSha256, task.Training.Clone(), task.ExamplePrivacy.Clone(), task.PlannedRounds, [.. update], result, spend,
            task.Round, task.Attempt);

    /// <summary>Whether <paramref name="task"/> asks for exactly the training this update is the result of.</summary>
    public bool Fits(RoundTask task) =>
        task.ExamplePrivacy is not null
        && task.SessionId == SessionId
        && string.Equals(task.ModelSha256, ModelSha256, StringComparison.OrdinalIgnoreCase)
        && task.ParameterCount == Update.Length
        && task.PlannedRounds == PlannedRounds
        && Training.Equals(task.Training)
        && ExamplePrivacy.Equals(task.ExamplePrivacy);
}
