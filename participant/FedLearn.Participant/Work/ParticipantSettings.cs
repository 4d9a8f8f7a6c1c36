using FedLearn.Identity;

namespace FedLearn.Participant.Work;

/// <summary>How a participant daemon runs.</summary>
/// <param name="CoordinatorUrl">The coordinator's gRPC address, e.g. https://coordinator:5100.</param>
/// <param name="ParticipantId">This participant's identifier: its certificate's name (or, against a development coordinator, --id).</param>
/// <param name="MaxBackoff">Longest wait between reconnection attempts.</param>
/// <param name="TrainingThreads">ONNX Runtime intra-op threads for local training.</param>
/// <param name="Credentials">The enrolled certificate and key for mutual TLS; null only against an http:// development coordinator.</param>
/// <param name="OtherCoordinatorUrls">
/// Further coordinators of the same cluster, tried in turn after <paramref name="CoordinatorUrl"/> when the one in use is
/// unreachable (docs/operations.md "Running a cluster"); empty for a single coordinator.
/// </param>
public sealed record ParticipantSettings(
    Uri CoordinatorUrl, string ParticipantId, TimeSpan MaxBackoff, int TrainingThreads = 1, ClientCredentials? Credentials = null,
    IReadOnlyList<Uri>? OtherCoordinatorUrls = null)
{
    /// <summary>Every coordinator address, the first one first.</summary>
    public IReadOnlyList<Uri> CoordinatorUrls => [CoordinatorUrl, .. OtherCoordinatorUrls ?? []];
}
