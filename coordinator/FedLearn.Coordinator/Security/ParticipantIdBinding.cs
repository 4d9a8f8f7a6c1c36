using Google.Protobuf;
using Grpc.Core;

namespace FedLearn.Coordinator.Security;

/// <summary>
/// A participant acts only in its own name: every <c>participant_id</c> in its messages (also inside an upload's header)
/// must be its certificate's name. An empty one is filled in with that name, so clients need not repeat it.
/// </summary>
internal static class ParticipantIdBinding
{
    private const string FieldName = "participant_id";
    private const string HeaderFieldName = "header";

    public static void Bind(IMessage message, string participantName)
    {
        BindField(message, participantName);
        // UpdateChunk carries the participant id in its header part.
        if (message.Descriptor.FindFieldByName(HeaderFieldName) is { } header && header.Accessor.GetValue(message) is IMessage inner)
        {
            BindField(inner, participantName);
        }
    }

    private static void BindField(IMessage message, string participantName)
    {
        if (message.Descriptor.FindFieldByName(FieldName) is not { } field)
        {
            return;
        }
        var claimed = (string)field.Accessor.GetValue(message);
        if (claimed.Length == 0)
        {
            field.Accessor.SetValue(message, participantName);
        }
        else if (!string.Equals(claimed, participantName, StringComparison.Ordinal))
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"participant_id '{Truncate(claimed)}' is not the caller: your certificate is for participant '{participantName}'."));
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
