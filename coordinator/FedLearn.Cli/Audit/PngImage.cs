using System.Buffers.Binary;
using System.IO.Compression;

namespace FedLearn.Cli.Audit;

/// <summary>An RGB raster written as a PNG file (W3C PNG specification, 3rd edition: IHDR, one zlib IDAT, IEND; filter 0).</summary>
internal sealed class PngImage(int width, int height)
{
    private readonly byte[] _pixels = Fill(width, height);

    public int Width => width;

    public int Height => height;

    public void Set(int x, int y, (byte R, byte G, byte B) color)
    {
        if (x < 0 || y < 0 || x >= width || y >= height)
        {
            return;
        }
        var i = (y * width + x) * 3;
        (_pixels[i], _pixels[i + 1], _pixels[i + 2]) = color;
    }

    public void FillRectangle(int x0, int y0, int x1, int y1, (byte, byte, byte) color)
    {
        for (var y = Math.Min(y0, y1); y <= Math.Max(y0, y1); y++)
        {
            for (var x = Math.Min(x0, x1); x <= Math.Max(x0, x1); x++)
            {
                Set(x, y, color);
            }
        }
    }

    /// <summary>A straight line (Bresenham 1965).</summary>
    public void Line(int x0, int y0, int x1, int y1, (byte, byte, byte) color)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, error = dx + dy;
        while (true)
        {
            Set(x0, y0, color);
            if (x0 == x1 && y0 == y1)
            {
                return;
            }
            var e2 = 2 * error;
            if (e2 >= dy)
            {
                error += dy;
                x0 += sx;
            }
            if (e2 <= dx)
            {
                error += dx;
                y0 += sy;
            }
        }
    }

    public void Save(string path)
    {
        using var file = File.Create(path);
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bits per channel
        header[9] = 2; // truecolour RGB
        Chunk(file, "IHDR", header);
        using (var raw = new MemoryStream())
        {
            using (var zlib = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            {
                for (var y = 0; y < height; y++)
                {
                    zlib.WriteByte(0);
                    zlib.Write(_pixels, y * width * 3, width * 3);
                }
            }
            Chunk(file, "IDAT", raw.ToArray());
        }
        Chunk(file, "IEND", []);
    }

    private static byte[] Fill(int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var pixels = new byte[width * height * 3];
        Array.Fill(pixels, (byte)255);
        return pixels;
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        output.Write(typeBytes);
        output.Write(data);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32([.. typeBytes, .. data]));
        output.Write(number);
    }

    /// <summary>CRC-32 (ISO 3309, the polynomial PNG's chunk check uses), bitwise.</summary>
    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }
        return ~crc;
    }
}
