using FedLearn.Participant.Policy;

namespace FedLearn.Participant.Tests.Policy;

public sealed class ParticipantPolicyFileTests
{
    [Fact]
    public void Parse_FullPolicy_ReadsEveryField()
    {
        const string json = """
            {
              // comments are allowed
              "max_epsilon_per_session": 4.5,
              "max_delta": 1e-5,
              "min_participants_per_round": 20,
              "require_secure_aggregation": true,
              "allow_non_private_sessions": true
            }
            """;

        var policy = ParticipantPolicyFile.Parse(json, "p.json");

        Assert.Equal(new ParticipantPolicy(4.5, 1e-5, 20, true, true), policy);
        Assert.True(policy.Enforced);
    }

    [Fact]
    public void Parse_OnlyRequiredFields_DefaultsDeclineNonPrivateSessions()
    {
        var policy = ParticipantPolicyFile.Parse("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6 }""", "p.json");

        Assert.Equal(new ParticipantPolicy(3, 1e-6, 1, false, false), policy);
    }

    [Fact]
    public void Parse_MaxEpsilonAgainstCoordinator_IsOptional()
    {
        var policy = ParticipantPolicyFile.Parse("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon_against_coordinator": 12.5 }""", "p.json");

        Assert.Equal(12.5, policy.MaxEpsilonAgainstCoordinator);
        Assert.Null(ParticipantPolicyFile.Parse("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6 }""", "p.json").MaxEpsilonAgainstCoordinator);
    }

    [Theory]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon_against_coordinator": 0 }""", "\"max_epsilon_against_coordinator\" must be a finite number > 0; got 0")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon_against_coordinator": -2 }""", "\"max_epsilon_against_coordinator\" must be a finite number > 0")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon_against_coordinator": 1e400 }""", "\"max_epsilon_against_coordinator\" must be a")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon_against_coordinator": "Infinity" }""", "\"max_epsilon_against_coordinator\" must be a number; got the string \"Infinity\"")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon_against_coordinator": null }""", "\"max_epsilon_against_coordinator\" must be a number; got null")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "max_epsilon": 1 }""", "unknown field \"max_epsilon\"")]
    [InlineData("""{ "max_delta": 1e-6 }""", "\"max_epsilon_per_session\" is required")]
    [InlineData("""{ "max_epsilon_per_session": 3 }""", "\"max_delta\" is required")]
    [InlineData("""{ "max_epsilon_per_session": "NaN", "max_delta": 1e-6 }""", "\"max_epsilon_per_session\" must be a number; got the string \"NaN\"")]
    [InlineData("""{ "max_epsilon_per_session": -1, "max_delta": 1e-6 }""", "\"max_epsilon_per_session\" must be a finite number > 0; got -1")]
    [InlineData("""{ "max_epsilon_per_session": 0, "max_delta": 1e-6 }""", "\"max_epsilon_per_session\" must be a finite number > 0")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": -1e-6 }""", "\"max_delta\" must be a number in (0, 1)")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1 }""", "\"max_delta\" must be a number in (0, 1)")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "min_participants_per_round": -2 }""", "\"min_participants_per_round\" must be a whole number >= 1; got -2")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "min_participants_per_round": 2.5 }""", "\"min_participants_per_round\" must be a whole number >= 1")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_delta": 1e-6, "require_secure_aggregation": "yes" }""", "\"require_secure_aggregation\" must be true or false")]
    [InlineData("""{ "max_epsilon_per_session": 3, "max_epsilon_per_session": 5, "max_delta": 1e-6 }""", "appears more than once")]
    [InlineData("""[1, 2]""", "must be a JSON object")]
    [InlineData("""{ "max_epsilon_per_session": 3, """, "not valid JSON")]
    public void Parse_InvalidPolicy_ThrowsNamingFileAndProblem(string json, string expected)
    {
        var e = Assert.Throws<InvalidDataException>(() => ParticipantPolicyFile.Parse(json, "owner.json"));

        Assert.StartsWith("Policy file 'owner.json': ", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFile_ThrowsInvalidData()
    {
        var e = Assert.Throws<InvalidDataException>(() => ParticipantPolicyFile.Load("/nonexistent/policy.json"));

        Assert.Contains("/nonexistent/policy.json", e.Message, StringComparison.Ordinal);
    }
}
