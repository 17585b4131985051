using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace ResNetSharp.Tests.Serving;

/// <summary>
/// A decompression bomb's header: a PNG that claims <c>width</c> x <c>height</c> RGB pixels in a few dozen bytes
/// (its compressed data holds one row, so decoding it would allocate the whole bitmap before finding it truncated).
/// </summary>
public static class PixelBomb
{
    public static byte[] Png(int width, int height)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        (header[8], header[9]) = (8, 2);   // 8 bits, RGB
        Chunk(png, "IHDR", header);
        using (var row = new MemoryStream())
        {
            using (var zlib = new ZLibStream(row, CompressionLevel.SmallestSize)) zlib.Write(new byte[Math.Min(1 + 3 * width, 1 << 16)]);
            Chunk(png, "IDAT", row.ToArray());
        }
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, data.Length);
        png.Write(word);
        byte[] typed = [.. Encoding.ASCII.GetBytes(type), .. data];
        png.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typed));
        png.Write(word);
    }

    /// <summary>PNG's CRC-32 (ISO-HDLC, reflected 0xEDB88320).</summary>
    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xEDB88320u & (uint)-(int)(crc & 1));
        }
        return ~crc;
    }
}
