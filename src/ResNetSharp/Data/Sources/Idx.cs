using System.Buffers.Binary;
using System.IO.Compression;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// The IDX format of the MNIST family (LeCun's <c>train-images-idx3-ubyte</c> files, gzipped or not, as torchvision's
/// <c>read_sn3_pascalvincent_tensor</c> reads them): two zero bytes, an element type byte (8 uint8, 9 int8, 11 int16,
/// 12 int32, 13 float32, 14 float64), a dimension count byte, one big-endian uint32 per dimension, then the elements in
/// row-major order, big-endian. Hostile headers (absurd sizes, more data claimed than the file holds) are one clear
/// error: nothing larger than what the file really holds is ever allocated.
/// </summary>
public static class Idx
{
    /// <summary>An IDX element type, by its type byte.</summary>
    public enum ElementType : byte
    {
        /// <summary>Unsigned byte.</summary>
        UInt8 = 8,
        /// <summary>Signed byte.</summary>
        Int8 = 9,
        /// <summary>Big-endian 16-bit integer.</summary>
        Int16 = 11,
        /// <summary>Big-endian 32-bit integer.</summary>
        Int32 = 12,
        /// <summary>Big-endian IEEE single.</summary>
        Float32 = 13,
        /// <summary>Big-endian IEEE double.</summary>
        Float64 = 14,
    }

    /// <summary>One IDX file: its element type, its dimensions and its element bytes as stored (big-endian).</summary>
    public sealed record Array(ElementType Type, int[] Shape, byte[] Data);

    private const int MaxDimensions = 4;

    /// <summary>Reads an IDX file; a gzip stream (magic 1f 8b) is decompressed on the fly.</summary>
    public static Array Read(string path)
    {
        if (!File.Exists(path))
            throw new ResNetSharpException($"missing IDX file '{path}'; download the dataset again (TrainOptions.Download).");
        using var file = File.OpenRead(path);
        bool gzipped = file.ReadByte() == 0x1f && file.ReadByte() == 0x8b;
        file.Position = 0;
        using Stream stream = gzipped ? new GZipStream(file, CompressionMode.Decompress) : file;
        try
        {
            return Read(stream, path, gzipped ? null : file.Length);
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(path, $"its gzip stream is damaged ({e.Message})");
        }
    }

    /// <summary>An image file: uint8 with three dimensions [N, H, W].</summary>
    public static (byte[] Pixels, int Count, int Height, int Width) ReadImages(string path)
    {
        var a = Read(path);
        if (a.Type != ElementType.UInt8 || a.Shape.Length != 3)
            throw Corrupt(path, $"it holds {a.Type} [{string.Join(", ", a.Shape)}], not uint8 images [N, H, W]");
        return (a.Data, a.Shape[0], a.Shape[1], a.Shape[2]);
    }

    /// <summary>A label file: integers with one dimension [N].</summary>
    public static long[] ReadLabels(string path)
    {
        var a = Read(path);
        if (a.Type is ElementType.Float32 or ElementType.Float64 || a.Shape.Length != 1)
            throw Corrupt(path, $"it holds {a.Type} [{string.Join(", ", a.Shape)}], not integer labels [N]");
        var d = a.Data;
        return a.Type switch
        {
            ElementType.UInt8 => [.. d.Select(b => (long)b)],
            ElementType.Int8 => [.. d.Select(b => (long)(sbyte)b)],
            ElementType.Int16 => [.. Enumerable.Range(0, a.Shape[0]).Select(i => (long)BinaryPrimitives.ReadInt16BigEndian(d.AsSpan(2 * i)))],
            _ => [.. Enumerable.Range(0, a.Shape[0]).Select(i => (long)BinaryPrimitives.ReadInt32BigEndian(d.AsSpan(4 * i)))],
        };
    }

    /// <summary>The size in bytes of one element of <paramref name="type"/>.</summary>
    public static int ElementSize(ElementType type) => type switch
    {
        ElementType.UInt8 or ElementType.Int8 => 1,
        ElementType.Int16 => 2,
        ElementType.Int32 or ElementType.Float32 => 4,
        _ => 8,
    };

    private static Array Read(Stream stream, string path, long? fileLength)
    {
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
            throw Corrupt(path, "it is shorter than an IDX header");
        if (magic[0] != 0 || magic[1] != 0 || !Enum.IsDefined((ElementType)magic[2]) || magic[3] is 0 or > MaxDimensions)
            throw Corrupt(path, $"its header {Convert.ToHexString(magic)} is not an IDX magic number (00 00, a type of 08/09/0B/0C/0D/0E, 1 to {MaxDimensions} dimensions)");
        var type = (ElementType)magic[2];
        var shape = new int[magic[3]];
        Span<byte> dim = stackalloc byte[4];
        long bytes = ElementSize(type);
        for (int i = 0; i < shape.Length; i++)
        {
            if (stream.ReadAtLeast(dim, 4, throwOnEndOfStream: false) < 4)
                throw Corrupt(path, "its header is cut short");
            uint size = BinaryPrimitives.ReadUInt32BigEndian(dim);
            bytes *= size;   // below 2^31 · 2^32: cannot overflow before the check stops it
            if (size > int.MaxValue || bytes > System.Array.MaxLength)
                throw Corrupt(path, $"its header claims dimensions beyond 2 GB of data ({string.Join(" x ", shape[..i])} x {size})");
            shape[i] = (int)size;
        }
        long header = 4 + 4L * shape.Length;
        if (fileLength is { } length && length != header + bytes)
            throw Corrupt(path, $"its header promises {header + bytes} bytes ({type} [{string.Join(", ", shape)}]) but the file has {length}");
        return new Array(type, shape, fileLength is null ? ReadCapped(stream, path, bytes, header, type, shape) : ReadExactly(stream, (int)bytes));
    }

    private static byte[] ReadExactly(Stream stream, int bytes)
    {
        var data = new byte[bytes];
        stream.ReadExactly(data);
        return data;
    }

    /// <summary>Decompressed data, grown as it arrives (a small gzip file claiming a huge array never allocates it).</summary>
    private static byte[] ReadCapped(Stream stream, string path, long bytes, long header, ElementType type, int[] shape)
    {
        using var data = new MemoryStream();
        var buffer = new byte[1 << 16];
        int read;
        while ((read = stream.Read(buffer)) > 0 && data.Length <= bytes)
            data.Write(buffer, 0, read);
        if (data.Length != bytes)
            throw Corrupt(path, $"its header promises {header + bytes} bytes ({type} [{string.Join(", ", shape)}]) but it decompresses to {(data.Length > bytes ? "more" : (header + data.Length).ToString())}");
        return data.Length == data.Capacity ? data.GetBuffer() : data.ToArray();
    }

    private static ResNetSharpException Corrupt(string path, string why) =>
        new($"'{path}' is not a valid IDX file: {why}; it is truncated or corrupt, download it again (TrainOptions.Download) or re-extract it.");
}
