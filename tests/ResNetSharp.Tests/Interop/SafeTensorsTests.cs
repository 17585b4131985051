using System.Text;
using ResNetSharp.Interop;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class SafeTensorsTests
{
    /// <summary>A safetensors file assembled by hand from the format description: u64 header length, JSON, data.</summary>
    internal static byte[] Raw(string json, params byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        return [.. BitConverter.GetBytes((ulong)header.Length), .. header, .. data];
    }

    [Fact]
    public void Round_trip_keeps_values_dtypes_shapes_and_metadata()
    {
        using var dir = new TempDir();
        using var a = arange(6, dtype: ScalarType.Float32).reshape(2, 3).t(); // non-contiguous view
        using var b = tensor(new long[] { 7, -1 });
        using var c = tensor(new float[] { 1.5f, -2f }).to(ScalarType.BFloat16);
        string path = dir.Combine("w.safetensors");
        SafeTensors.Save(path, [new("a", a), new("b", b), new("c", c)], new Dictionary<string, string> { ["epoch"] = "3" });

        var bytes = File.ReadAllBytes(path);
        long headerLength = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, (8 + headerLength) % 8);
        Assert.Single(Directory.GetFiles(dir.Path)); // no temp file left behind

        using var file = SafeTensors.Load(path);
        Assert.Equal("3", file.Metadata["epoch"]);
        Assert.Equal(new long[] { 3, 2 }, file.Tensors["a"].shape);
        Assert.Equal(new float[] { 0, 3, 1, 4, 2, 5 }, file.Tensors["a"].data<float>().ToArray());
        Assert.Equal(new long[] { 7, -1 }, file.Tensors["b"].data<long>().ToArray());
        Assert.Equal(ScalarType.BFloat16, file.Tensors["c"].dtype);
        Assert.Equal(new float[] { 1.5f, -2f }, file.Tensors["c"].to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void Reads_a_hand_written_file_with_the_documented_layout()
    {
        using var dir = new TempDir();
        string path = dir.Combine("hand.safetensors");
        // 2 x I64 little-endian: 1 and 258.
        File.WriteAllBytes(path, Raw("""{"__metadata__":{"k":"v"},"x":{"dtype":"I64","shape":[2],"data_offsets":[0,16]}}""",
            1, 0, 0, 0, 0, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0));
        using var file = SafeTensors.Load(path);
        Assert.Equal(new long[] { 1, 258 }, file.Tensors["x"].data<long>().ToArray());
        Assert.Equal("v", file.Metadata["k"]);
    }

    public static TheoryData<string, byte[], string> Malformed => new()
    {
        { "bad json", Raw("""{"x":{"dtype":"F32",""", 0, 0, 0, 0), "not well-formed JSON" },
        { "out of bounds", Raw("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 0, 0, 0, 0), "out of bounds" },
        { "overlap", Raw("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"y":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""", 0, 0, 0, 0, 0, 0), "overlaps" },
        { "wrong length", Raw("""{"x":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}""", 0, 0, 0, 0), "needs 8" },
        { "trailing bytes", Raw("""{"x":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}""", 0, 0, 0, 0, 9), "trailing bytes" },
        { "unsupported dtype", Raw("""{"x":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}""", 0, 0, 0, 0, 0, 0, 0, 0), "dtype F64" },
        { "header past end", [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{'], "truncated" },
        { "shorter than length", [1, 0, 0], "truncated" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void Malformed_files_give_a_clear_error_naming_the_file(string _, byte[] content, string expected)
    {
        using var dir = new TempDir();
        string path = dir.Combine("bad.safetensors");
        File.WriteAllBytes(path, content);
        var e = Assert.Throws<ResNetSharpException>(() => SafeTensors.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Truncating_a_saved_file_is_detected()
    {
        using var dir = new TempDir();
        string path = dir.Combine("t.safetensors");
        using var x = ones(10);
        SafeTensors.Save(path, [new("x", x)]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);
        var e = Assert.Throws<ResNetSharpException>(() => SafeTensors.Load(path));
        Assert.Contains("truncated", e.Message);
    }
}
