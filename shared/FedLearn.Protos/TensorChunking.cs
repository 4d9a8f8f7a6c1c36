using System.Runtime.InteropServices;
using Google.Protobuf;
using FedLearn.Protos.V1;

namespace FedLearn.Protos;

/// <summary>Splits flat float32 vectors into <see cref="TensorChunk"/>s and reassembles them, checking order and size.</summary>
public static class TensorChunking
{
    /// <summary>256 KiB of floats per message: well under gRPC's default 4 MiB message limit.</summary>
    public const int FloatsPerChunk = 64 * 1024;

    /// <summary>Largest vector the assembler accepts (1 GiB of floats); callers check the expected length before allocating.</summary>
    public const long MaxFloats = 1L << 28;

    public static IEnumerable<TensorChunk> Split(float[] values)
    {
        EnsureLittleEndian();
        for (var offset = 0; offset < values.Length; offset += FloatsPerChunk)
        {
            var count = Math.Min(FloatsPerChunk, values.Length - offset);
            yield return new TensorChunk
            {
                Offset = offset,
                Data = ByteString.CopyFrom(MemoryMarshal.AsBytes(values.AsSpan(offset, count))),
            };
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("FedLearn's wire format is little-endian float32.");
        }
    }

    /// <summary>Collects the chunks of one vector of a known length; rejects gaps, overlaps and overruns.</summary>
    public sealed class Assembler
    {
        private readonly float[] _values;
        private long _filled;

        public Assembler(long expectedCount)
        {
            EnsureLittleEndian();
            if (expectedCount is < 0 or > MaxFloats)
            {
                throw new InvalidDataException($"A vector of {expectedCount} floats is outside the accepted range 0..{MaxFloats}.");
            }
            _values = new float[expectedCount];
        }

        /// <summary>Collects into <paramref name="destination"/> (e.g. a pooled buffer): exactly its length in floats.</summary>
        public Assembler(float[] destination)
        {
            EnsureLittleEndian();
            _values = destination ?? throw new ArgumentNullException(nameof(destination));
        }

        public bool IsComplete => _filled == _values.Length;

        public void Add(TensorChunk chunk)
        {
            if (chunk.Offset != _filled)
            {
                throw new InvalidDataException($"Chunk at offset {chunk.Offset} arrived out of order; expected offset {_filled}.");
            }
            if (chunk.Data.Length % sizeof(float) != 0)
            {
                throw new InvalidDataException($"Chunk at offset {chunk.Offset} has {chunk.Data.Length} bytes, not a whole number of floats.");
            }
            var count = chunk.Data.Length / sizeof(float);
            if (_filled + count > _values.Length)
            {
                throw new InvalidDataException($"Chunks hold more than the {_values.Length} floats announced.");
            }
            chunk.Data.Span.CopyTo(MemoryMarshal.AsBytes(_values.AsSpan((int)_filled, count)));
            _filled += count;
        }

        public float[] ToArray()
        {
            if (!IsComplete)
            {
                throw new InvalidDataException($"Only {_filled} of {_values.Length} floats arrived.");
            }
            return _values;
        }
    }
}
