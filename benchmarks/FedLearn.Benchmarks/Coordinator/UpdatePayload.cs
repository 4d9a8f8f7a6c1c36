using System.Runtime.InteropServices;
using FedLearn.Protos;
using FedLearn.Protos.V1;
using Google.Protobuf;

namespace FedLearn.Benchmarks.Coordinator;

/// <summary>
/// One valid update, serialized once and sent by every simulated participant: small finite values (L2 norm 1, far inside
/// the default bound of 100), in the same 64 Ki-float chunks the participant daemon sends. No training happens in the
/// benchmark, so what is measured is the coordinator's data path alone.
/// </summary>
internal sealed class UpdatePayload
{
    public UpdatePayload(int parameterCount, int seed)
    {
        ParameterCount = parameterCount;
        var random = new Random(seed);
        Values = new float[parameterCount];
        double squared = 0;
        for (var i = 0; i < Values.Length; i++)
        {
            Values[i] = (float)(random.NextDouble() - 0.5);
            squared += (double)Values[i] * Values[i];
        }
        var scale = (float)(1 / Math.Sqrt(squared));
        for (var i = 0; i < Values.Length; i++)
        {
            Values[i] *= scale;
        }
        var chunks = new List<UpdateChunk>();
        for (var offset = 0; offset < parameterCount; offset += TensorChunking.FloatsPerChunk)
        {
            var count = Math.Min(TensorChunking.FloatsPerChunk, parameterCount - offset);
            var bytes = MemoryMarshal.AsBytes(Values.AsSpan(offset, count));
            chunks.Add(new UpdateChunk { Chunk = new TensorChunk { Offset = offset, Data = ByteString.CopyFrom(bytes) } });
        }
        Chunks = chunks;
    }

    public int ParameterCount { get; }

    public float[] Values { get; }

    /// <summary>The data messages after the header (immutable once built; many streams write them concurrently).</summary>
    public IReadOnlyList<UpdateChunk> Chunks { get; }
}
