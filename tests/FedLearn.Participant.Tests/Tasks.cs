using FedLearn.Protos.V1;

namespace FedLearn.Participant.Tests;

/// <summary>Round tasks as the coordinator sends them, with only the fields the privacy code reads.</summary>
internal static class Tasks
{
    public static RoundTask Private(
        int round = 1,
        double q = 0.1,
        double sigma = 1.1,
        double clipNorm = 1.0,
        double budget = 8.0,
        double delta = 1e-5,
        string accountant = "rdp",
        bool secureAggregation = false,
        int minParticipants = 10,
        double epsilonSpent = 0,
        string sessionId = "session-1") => new()
    {
        SessionId = sessionId,
        Round = round,
        Attempt = 1,
        MinParticipants = minParticipants,
        EpsilonSpent = epsilonSpent,
        Privacy = new PrivacyParameters
        {
            Mechanism = "central_gaussian",
            SamplingRate = q,
            NoiseMultiplier = sigma,
            ClipNorm = clipNorm,
            EpsilonBudget = budget,
            Delta = delta,
            Accountant = accountant,
            SecureAggregation = secureAggregation,
        },
    };

    /// <summary>
    /// A secure-aggregation round with distributed noise: t = <paramref name="threshold"/> of <paramref name="participants"/>,
    /// at least <paramref name="minimumSurvivors"/> survivors (9 of 10: one dropout allowed), 1000 parameters, colluder
    /// fraction <paramref name="colluderFraction"/> (0: no colluder assumed).
    /// </summary>
    public static RoundTask Secure(
        int round = 1,
        int attempt = 1,
        double q = 0.1,
        double sigma = 1.1,
        int threshold = 6,
        double budget = 8.0,
        string accountant = "rdp",
        string sessionId = "session-1",
        int participants = 10,
        int minimumSurvivors = 9,
        double colluderFraction = 0)
    {
        var task = Private(round, q, sigma, clipNorm: 1.0, budget, accountant: accountant, secureAggregation: true, sessionId: sessionId);
        task.Attempt = attempt;
        task.Privacy.Mechanism = "distributed_discrete_gaussian";
        task.Privacy.ColluderFraction = colluderFraction;
        task.ParameterCount = 1000;
        task.SecureAggregation = new SecureAggregationSetup
        {
            Participants = participants, Neighbors = participants - 1, Threshold = threshold, Gamma = 1.0 / 4096, Rotate = true, MinimumSurvivors = minimumSurvivors,
        };
        return task;
    }

    public static RoundTask NonPrivate(int round = 1, string sessionId = "session-1") =>
        new() { SessionId = sessionId, Round = round, Attempt = 1, MinParticipants = 10 };
}
