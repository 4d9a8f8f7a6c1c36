using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace FedLearn.Coordinator.Services;

/// <summary>
/// The documented maximum length of every string and bytes field a client can send (the comments in protos/fedlearn/v1
/// say the same), and no control characters in any string: a 4 MiB client_version or a NUL byte must not reach the grains
/// or the database. Checked for every request message, nested ones included, by <see cref="RequestLimitsInterceptor"/>.
/// </summary>
internal static class RequestLimits
{
    /// <summary>Participant and session ids (their pattern is checked where they are used, by RpcGuard.Id).</summary>
    public const int IdLength = 64;

    /// <summary>Keywords such as a model kind, an activation or an accountant.</summary>
    public const int KeywordLength = 32;

    public const int SecureAggregationPayloadBytes = 1024 * 1024;

    /// <summary>Limits by field full name; ids by field name. A string field in neither is held to <see cref="IdLength"/>.</summary>
    public static readonly IReadOnlyDictionary<string, int> MaxLength = new Dictionary<string, int>
    {
        ["fedlearn.v1.RegisterRequest.client_version"] = 128,
        ["fedlearn.v1.SessionConfig.name"] = 200,
        ["fedlearn.v1.ModelSpec.kind"] = KeywordLength,
        ["fedlearn.v1.ModelSpec.activation"] = KeywordLength,
        ["fedlearn.v1.PrivacyConfig.accountant"] = KeywordLength,
        ["fedlearn.v1.ExamplePrivacyParameters.accountant"] = KeywordLength,
        ["fedlearn.v1.RobustnessConfig.update_norm_policy"] = KeywordLength,
        ["fedlearn.v1.RobustnessConfig.aggregation"] = KeywordLength,
        ["fedlearn.v1.ServerOptimizerConfig.kind"] = KeywordLength,
        ["fedlearn.v1.SecureAggregationStepRequest.payload"] = SecureAggregationPayloadBytes,
        ["fedlearn.v1.EnrollRequest.token"] = FedLearn.Identity.EnrollmentToken.MaxLength,
        ["fedlearn.v1.EnrollRequest.csr_der"] = 4096,
        ["fedlearn.v1.RenewCertificateRequest.csr_der"] = 4096,
        ["fedlearn.v1.PrivacyConfig.audit_commitment"] = FedLearn.Privacy.Audit.AuditCommitment.Bytes,
        // Bounded by the services' maximum message sizes (256 MiB for an imported model, 8 MiB for a chunk).
        ["fedlearn.v1.SessionConfig.initial_model_onnx"] = int.MaxValue,
        ["fedlearn.v1.TensorChunk.data"] = int.MaxValue,
    };

    /// <returns>Null when every string and bytes field of the message (and its nested messages) is within its limit.</returns>
    public static string? Problem(IMessage message) => Problem(message, depth: 0);

    private static string? Problem(IMessage message, int depth)
    {
        if (depth > 8)
        {
            return "the request nests messages too deeply";
        }
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            var values = field.IsRepeated ? ((System.Collections.IEnumerable)value).Cast<object>() : [value];
            foreach (var item in values)
            {
                var problem = item switch
                {
                    string text => TextProblem(field, text),
                    ByteString bytes when bytes.Length > Limit(field) => $"{field.Name} is {bytes.Length} bytes; at most {Limit(field)} are allowed",
                    IMessage nested => Problem(nested, depth + 1),
                    _ => null,
                };
                if (problem is not null)
                {
                    return problem;
                }
            }
        }
        return null;
    }

    public static int Limit(FieldDescriptor field) =>
        MaxLength.TryGetValue(field.FullName, out var limit) ? limit : IdLength;

    private static string? TextProblem(FieldDescriptor field, string text)
    {
        var limit = Limit(field);
        if (text.Length > limit)
        {
            return $"{field.Name} is {text.Length} characters long; at most {limit} are allowed";
        }
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                return $"{field.Name} contains a control character";
            }
        }
        return null;
    }
}
