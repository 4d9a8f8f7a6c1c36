using FedLearn.Participant.Policy;

namespace FedLearn.Participant.Simulation;

/// <summary>How a simulated population runs.</summary>
/// <param name="Coordinator">The coordinator's https:// address.</param>
/// <param name="Policy">The policy of every participant without its own policy file.</param>
/// <param name="MaxTrainings">Trainings at once, across the population (each on a shared ONNX Runtime session).</param>
/// <param name="MaxTransfers">Tasks holding model-sized buffers at once (downloading, training, uploading).</param>
/// <param name="LabelColumn">The label column of CSV shards.</param>
/// <param name="ExitAfterIdle">Stop once tasks have come and none has for this long, nothing being under way; null runs until cancelled.</param>
public sealed record SimulationOptions(
    Uri Coordinator,
    ParticipantPolicy Policy,
    int MaxTrainings,
    int MaxTransfers,
    string LabelColumn = "label",
    TimeSpan? ExitAfterIdle = null);
