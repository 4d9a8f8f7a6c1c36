using System.Runtime.InteropServices;

namespace FedLearn.Coordinator.Grains;

/// <summary>
/// A round attempt's base model as every download serves it: the weights serialized once, little-endian float32 (the
/// wire format of TensorChunk.data), when the attempt opens. Immutable, so Orleans hands every caller the same bytes instead
/// of deep-copying the model for each download, and the gRPC handler slices its chunks from them without copying.
/// </summary>
[GenerateSerializer, Immutable, Alias("fedlearn.ServedModel")]
public sealed record ServedModel([property: Id(0)] int ParameterCount, [property: Id(1)] byte[] Bytes)
{
    public static ServedModel Of(ReadOnlySpan<float> weights)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Tensors travel as little-endian float32; this machine is big-endian.");
        }
        return new(weights.Length, MemoryMarshal.AsBytes(weights).ToArray());
    }

    /// <summary>The weights as floats (a copy; for tests and diagnostics, not the serving path).</summary>
    public float[] ToFloats() => MemoryMarshal.Cast<byte, float>(Bytes).ToArray();
}
