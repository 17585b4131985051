using System.Buffers.Binary;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Tests.Data;

public class IdxTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Reads_each_element_type_plain_and_gzipped(bool gzip)
    {
        using var dir = new TempDir();
        string Write(string name, byte[] bytes)
        {
            string path = dir.Combine(name);
            File.WriteAllBytes(path, gzip ? IdxFiles.Gzip(bytes) : bytes);
            return path;
        }
        var int16 = new byte[6];
        BinaryPrimitives.WriteInt16BigEndian(int16, 300);
        BinaryPrimitives.WriteInt16BigEndian(int16.AsSpan(2), -2);
        BinaryPrimitives.WriteInt16BigEndian(int16.AsSpan(4), 7);
        var int32 = new byte[8];
        BinaryPrimitives.WriteInt32BigEndian(int32, 70000);
        BinaryPrimitives.WriteInt32BigEndian(int32.AsSpan(4), 1);
        Assert.Equal([200, 3], Idx.ReadLabels(Write("u8", IdxFiles.Bytes(Idx.ElementType.UInt8, [2], [200, 3]))));
        Assert.Equal([-56, 3], Idx.ReadLabels(Write("i8", IdxFiles.Bytes(Idx.ElementType.Int8, [2], [200, 3]))));
        Assert.Equal([300, -2, 7], Idx.ReadLabels(Write("i16", IdxFiles.Bytes(Idx.ElementType.Int16, [3], int16))));
        Assert.Equal([70000, 1], Idx.ReadLabels(Write("i32", IdxFiles.Bytes(Idx.ElementType.Int32, [2], int32))));

        var f32 = Idx.Read(Write("f32", IdxFiles.Bytes(Idx.ElementType.Float32, [1, 2], [0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0])));
        Assert.Equal(Idx.ElementType.Float32, f32.Type);
        Assert.Equal([1, 2], f32.Shape);
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleBigEndian(f32.Data.AsSpan(4)));
        var f64 = Idx.Read(Write("f64", IdxFiles.Bytes(Idx.ElementType.Float64, [1, 1, 1, 1], [0x40, 0x09, 0x21, 0xfb, 0x54, 0x44, 0x2d, 0x18])));
        Assert.Equal(Math.PI, BinaryPrimitives.ReadDoubleBigEndian(f64.Data), 12);
        Assert.Contains("not integer labels", Assert.Throws<ResNetSharpException>(() => Idx.ReadLabels(dir.Combine("f32"))).Message);

        var (pixels, count, height, width) = Idx.ReadImages(Write("images", IdxFiles.Bytes(Idx.ElementType.UInt8, [2, 3, 2], [.. Enumerable.Range(0, 12).Select(i => (byte)i)])));
        Assert.Equal((2, 3, 2), (count, height, width));
        Assert.Equal(11, pixels[^1]);
        Assert.Contains("not uint8 images", Assert.Throws<ResNetSharpException>(() => Idx.ReadImages(dir.Combine("u8"))).Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Hostile_or_truncated_files_are_one_clear_error_naming_the_file(bool gzip)
    {
        using var dir = new TempDir();
        string path = dir.Combine("bad");
        string Error(byte[] bytes)
        {
            File.WriteAllBytes(path, gzip ? IdxFiles.Gzip(bytes) : bytes);
            var e = Assert.Throws<ResNetSharpException>(() => Idx.Read(path));
            Assert.Contains($"'{path}' is not a valid IDX file", e.Message);
            Assert.Contains("download it again", e.Message);
            return e.Message;
        }
        var valid = IdxFiles.Bytes(Idx.ElementType.UInt8, [4, 28, 28], new byte[4 * 28 * 28]);
        Assert.Contains("promises 3152 bytes (UInt8 [4, 28, 28])", Error(valid[..3000]));
        Assert.Contains("beyond 2 GB", Error(IdxFiles.Bytes(Idx.ElementType.Float64, [65536, 65536, 65536], [1, 2, 3])));
        Assert.Contains("beyond 2 GB", Error(IdxFiles.Bytes(Idx.ElementType.UInt8, [-1], [])));   // 0xFFFFFFFF
        Assert.Contains("promises", Error(IdxFiles.Bytes(Idx.ElementType.UInt8, [60000, 28, 28], new byte[100])));
        Assert.Contains("not an IDX magic number", Error([0, 0, 7, 1, 0, 0, 0, 0]));
        Assert.Contains("not an IDX magic number", Error([0, 0, 8, 9, 0, 0, 0, 0]));
        Assert.Contains("header is cut short", Error([0, 0, 8, 3, 0, 0, 0, 1]));
        Assert.Contains("shorter than an IDX header", Error([0, 0]));
        Assert.Contains("promises", Error([.. valid, 0]));
        if (gzip)
        {
            File.WriteAllBytes(path, IdxFiles.Gzip(valid)[..^10]);
            Assert.Contains("is not a valid IDX file", Assert.Throws<ResNetSharpException>(() => Idx.Read(path)).Message);
        }
    }
}
