using System.Buffers.Binary;
using System.Numerics;

namespace ResNetSharp.Runs.TensorBoard;

/// <summary>
/// TFRecord framing (tensorflow/core/lib/io/record_writer.cc): uint64 length, masked CRC32C of the length, the data,
/// masked CRC32C of the data; all little-endian.
/// </summary>
public static class TfRecord
{
    /// <summary>Writes one record.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], MaskedCrc(header[..8]));
        stream.Write(header);
        stream.Write(data);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, MaskedCrc(data));
        stream.Write(footer);
    }

    /// <summary>CRC32C (Castagnoli) of <paramref name="data"/>, with the usual initial value and final xor of all ones.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = ~0u;
        foreach (byte b in data) crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>TensorFlow's masked CRC: rotate right by 15 bits and add 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h).</summary>
    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = Crc32C(data);
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
    }
}
