using System.Buffers.Binary;
using System.IO.Compression;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Tests.Data;

/// <summary>Writes IDX files byte by byte as the format's spec lays them out (magic, big-endian sizes, big-endian elements).</summary>
internal static class IdxFiles
{
    public static byte[] Bytes(Idx.ElementType type, int[] shape, byte[] data)
    {
        var header = new byte[4 + 4 * shape.Length];
        header[2] = (byte)type;
        header[3] = (byte)shape.Length;
        for (int i = 0; i < shape.Length; i++)
            BinaryPrimitives.WriteUInt32BigEndian(header.AsSpan(4 + 4 * i), (uint)shape[i]);
        return [.. header, .. data];
    }

    public static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(bytes);
        return output.ToArray();
    }

    /// <summary>Writes the four files of an MNIST-style split pair into <paramref name="folder"/>: image i has pixel (y, x) = (i + 3y + x) % 256 and label i % classes.</summary>
    public static void WriteMnist(string folder, bool gzip, int train = 6, int test = 4, int classes = 10, string prefix = "", string testName = "t10k")
    {
        Directory.CreateDirectory(folder);
        foreach (var (name, n) in new[] { ("train", train), (testName, test) })
        {
            var pixels = Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(0, 28 * 28).Select(p => (byte)((i + 3 * (p / 28) + p % 28) % 256))).ToArray();
            var labels = Enumerable.Range(0, n).Select(i => (byte)(i % classes)).ToArray();
            Write(Path.Combine(folder, $"{prefix}{name}-images-idx3-ubyte"), Bytes(Idx.ElementType.UInt8, [n, 28, 28], pixels), gzip);
            Write(Path.Combine(folder, $"{prefix}{name}-labels-idx1-ubyte"), Bytes(Idx.ElementType.UInt8, [n], labels), gzip);
        }
    }

    private static void Write(string path, byte[] bytes, bool gzip) =>
        File.WriteAllBytes(gzip ? path + ".gz" : path, gzip ? Gzip(bytes) : bytes);
}
