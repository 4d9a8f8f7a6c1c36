using System.Text.RegularExpressions;
using FedLearn.Coordinator.Services;
using FedLearn.Protos.V1;
using Google.Protobuf.Reflection;

namespace FedLearn.IntegrationTests;

/// <summary>Every string and bytes field a client can send has a limit the coordinator enforces and the .proto states.</summary>
public sealed partial class RequestLimitsTests
{
    private static IEnumerable<FieldDescriptor> RequestFields()
    {
        var seen = new HashSet<string>();
        var pending = new Stack<MessageDescriptor>(
            ParticipantService.Descriptor.Methods.Concat(AdminService.Descriptor.Methods).Select(m => m.InputType));
        while (pending.TryPop(out var message))
        {
            if (!seen.Add(message.FullName))
            {
                continue;
            }
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                if (field.FieldType == FieldType.Message)
                {
                    pending.Push(field.MessageType);
                }
                else if (field.FieldType is FieldType.String or FieldType.Bytes)
                {
                    yield return field;
                }
            }
        }
    }

    [Fact]
    public void EveryRequestStringAndBytesField_HasAnExplicitLimitStatedInTheProto()
    {
        var protos = Path.Combine(RepositoryRoot(), "protos", "fedlearn", "v1");
        var missing = new List<string>();
        foreach (var field in RequestFields())
        {
            var explicitLimit = RequestLimits.MaxLength.ContainsKey(field.FullName) || field.Name.EndsWith("_id", StringComparison.Ordinal);
            var comment = CommentAbove(File.ReadAllLines(Path.Combine(protos, Path.GetFileName(field.File.Name))), field);
            var limit = RequestLimits.Limit(field);
            var stated = limit switch
            {
                int.MaxValue => comment.Contains("MiB", StringComparison.Ordinal),
                RequestLimits.SecureAggregationPayloadBytes => comment.Contains("at most 1 MiB", StringComparison.Ordinal),
                _ => comment.Contains(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            };
            if (!explicitLimit || !stated)
            {
                missing.Add($"{field.FullName} (limit {limit}; comment: '{comment}')");
            }
        }
        Assert.Empty(missing);
    }

    [Fact]
    public void Problem_OversizedNestedString_NamesTheField()
    {
        var config = new CreateSessionRequest { Config = new SessionConfig { Name = "ok", Model = new ModelSpec { Kind = new string('k', 33) } } };

        Assert.Equal("kind is 33 characters long; at most 32 are allowed", RequestLimits.Problem(config));
    }

    [Fact]
    public void Problem_ControlCharacter_Refused()
    {
        Assert.Equal("client_version contains a control character",
            RequestLimits.Problem(new RegisterRequest { ParticipantId = "p", ClientVersion = "1.0\0" }));
        Assert.Null(RequestLimits.Problem(new RegisterRequest { ParticipantId = "p", ClientVersion = new string('v', 128) }));
    }

    /// <summary>The comment lines directly above a field's declaration, joined.</summary>
    private static string CommentAbove(string[] lines, FieldDescriptor field)
    {
        var declaration = new Regex($@"^\s*(repeated\s+|optional\s+)?\w+\s+{field.Name}\s*=\s*{field.FieldNumber};");
        var inMessage = false;
        for (var i = 0; i < lines.Length; i++)
        {
            inMessage |= lines[i].StartsWith($"message {field.ContainingType.Name} ", StringComparison.Ordinal);
            if (inMessage && declaration.IsMatch(lines[i]))
            {
                var comment = new List<string>();
                for (var j = i - 1; j >= 0 && lines[j].TrimStart().StartsWith("//", StringComparison.Ordinal); j--)
                {
                    comment.Insert(0, lines[j].Trim().TrimStart('/').Trim());
                }
                return string.Join(' ', comment);
            }
        }
        return "";
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "FedLearn.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("FedLearn.sln not found above the test binaries.");
    }
}
