namespace FedLearn.Participant.Simulation;

/// <summary>One virtual participant before it starts: its enrolled credentials, its shard of data and its spend log.</summary>
/// <param name="CredentialsDirectory">ca.crt, client.crt and client.key of its own enrolled identity.</param>
/// <param name="DataPath">Its shard: a directory of IDX files or a CSV file.</param>
/// <param name="SpendLogPath">Its own spend log.</param>
/// <param name="PolicyPath">Its own policy file (a policy.json in its shard directory), or null for the population's.</param>
public sealed record PopulationMember(string CredentialsDirectory, string DataPath, string SpendLogPath, string? PolicyPath);
