using Microsoft.Extensions.Logging;

namespace FedLearn.Participant.Encoding;

/// <summary>The encoder pipeline the daemon runs, shared with in-process participants so tests exercise the same stages.</summary>
public static class UpdateEncoders
{
    /// <summary>Clip first: every later stage (noise, quantization, masking) assumes a bounded update.</summary>
    /// <param name="logger">Where the clip stage warns of a non-finite local result it replaces by the zero update.</param>
    public static IReadOnlyList<IUpdateEncoder> Default(ILogger? logger = null) => [new ClipEncoder(logger)];
}
