using System.IO.Compression;
using System.Text;
using ResNetSharp.Interop.Torch;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Interop;

public class TorchCheckpointTests
{
    /// <summary>A zip laid out as torch.save lays it out: &lt;prefix&gt;/data.pkl, &lt;prefix&gt;/data/&lt;key&gt;, &lt;prefix&gt;/version.</summary>
    private static void WriteZip(string path, string prefix, byte[] pickle, params byte[][] storages)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        void Add(string name, byte[] bytes)
        {
            using var s = zip.CreateEntry(prefix + name, CompressionLevel.NoCompression).Open();
            s.Write(bytes);
        }
        Add("data.pkl", pickle);
        Add("byteorder", "little"u8.ToArray());
        for (int i = 0; i < storages.Length; i++) Add($"data/{i}", storages[i]);
        Add("version", "3\n"u8.ToArray());
    }

    private static byte[] Str(string s) => [0x58, .. BitConverter.GetBytes(s.Length), .. Encoding.UTF8.GetBytes(s)]; // BINUNICODE
    private static byte[] Global(string module, string name) => [(byte)'c', .. Encoding.ASCII.GetBytes($"{module}\n{name}\n")];

    /// <summary>
    /// A state_dict pickle assembled opcode by opcode from the pickle protocol-2 definitions (CPython Lib/pickletools.py)
    /// in the shape torch.save writes (torch/serialization.py: persistent id ('storage', type, key, 'cpu', numel),
    /// torch/_utils.py: _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, hooks)), with memo use and the
    /// OrderedDict's _metadata set through BUILD.
    /// </summary>
    private static byte[] HandPickle() =>
    [
        0x80, 0x02,                                            // PROTO 2
        .. Global("collections", "OrderedDict"), 0x71, 0,      // GLOBAL, BINPUT 0
        0x29, 0x52, 0x71, 1,                                   // EMPTY_TUPLE, REDUCE, BINPUT 1
        0x28,                                                  // MARK (SETITEMS)
        // "w": float32 storage 0 of 6 elements viewed as size (2,3), stride (1,2): a transposed, non-contiguous view.
        .. Str("w"), 0x71, 2,
        .. Global("torch._utils", "_rebuild_tensor_v2"), 0x71, 3,
        0x28, 0x28, .. Str("storage"), 0x71, 4, .. Global("torch", "FloatStorage"), .. Str("0"), .. Str("cpu"), 0x4B, 6, 0x74, 0x51,
        0x4B, 0, 0x4B, 2, 0x4B, 3, 0x86, 0x4B, 1, 0x4B, 2, 0x86, 0x89, 0x68, 0, 0x29, 0x52, 0x74, 0x52, 0x71, 5,
        // "h": float16 storage 1 of 4 elements, offset 1, size (2,), stride (1,); the function and "storage" come from the memo (BINGET).
        .. Str("h"), 0x68, 3,
        0x28, 0x28, 0x68, 4, .. Global("torch", "HalfStorage"), .. Str("1"), .. Str("cpu"), 0x4B, 4, 0x74, 0x51,
        0x4B, 1, 0x4B, 2, 0x85, 0x4B, 1, 0x85, 0x89, 0x68, 0, 0x29, 0x52, 0x74, 0x52,
        // "n": int64 scalar (like num_batches_tracked), size () stride (), numel given as BININT (J).
        .. Str("n"), 0x68, 3,
        0x28, 0x28, 0x68, 4, .. Global("torch", "LongStorage"), .. Str("2"), .. Str("cpu"), 0x4A, 1, 0, 0, 0, 0x74, 0x51,
        0x4B, 0, 0x29, 0x29, 0x89, 0x68, 0, 0x29, 0x52, 0x74, 0x52,
        // "b": bfloat16 storage through STACK_GLOBAL with SHORT_BINUNICODE names (protocol 4 style).
        .. Str("b"), 0x68, 3,
        0x28, 0x28, 0x68, 4, 0x8C, 5, .. "torch"u8, 0x8C, 15, .. "BFloat16Storage"u8, 0x93, .. Str("3"), .. Str("cpu"), 0x4B, 2, 0x74, 0x51,
        0x4B, 0, 0x4B, 2, 0x85, 0x4B, 1, 0x85, 0x89, 0x68, 0, 0x29, 0x52, 0x74, 0x52,
        0x75,                                                  // SETITEMS
        // state {'_metadata': OrderedDict({'': {'version': 1}})}, applied with BUILD as torch's OrderedDict pickles do.
        0x7D, .. Str("_metadata"), 0x68, 0, 0x29, 0x52, 0x28, .. Str(""), 0x7D, .. Str("version"), 0x4B, 1, 0x73, 0x75, 0x73, 0x62,
        0x2E,                                                  // STOP
    ];

    [Fact]
    public void Reads_a_hand_assembled_torch_save_file()
    {
        using var dir = new TempDir();
        string path = dir.Combine("resnet50-0676ba61.pth");
        byte[] floats = [.. new float[] { 0, 1, 2, 3, 4, 5 }.SelectMany(BitConverter.GetBytes)];
        // IEEE binary16 1.0 = 0x3C00, 0.5 = 0x3800, -2 = 0xC000, 65504 = 0x7BFF; bfloat16 1.0 = 0x3F80, -3.5 = 0xC060.
        WriteZip(path, "resnet50-0676ba61/", HandPickle(), floats, [0x00, 0x3C, 0x00, 0x38, 0x00, 0xC0, 0xFF, 0x7B],
            BitConverter.GetBytes(42L), [0x80, 0x3F, 0x60, 0xC0]);

        using var file = TorchCheckpoint.Load(path);
        Assert.Equal(["w", "h", "n", "b"], file.Tensors.Keys);
        Assert.Equal(new long[] { 2, 3 }, file.Tensors["w"].shape);
        Assert.Equal(new float[] { 0, 2, 4, 1, 3, 5 }, file.Tensors["w"].data<float>().ToArray());
        Assert.Equal(ScalarType.Float16, file.Tensors["h"].dtype);
        Assert.Equal(new float[] { 0.5f, -2f }, file.Tensors["h"].to(ScalarType.Float32).data<float>().ToArray());
        Assert.Empty(file.Tensors["n"].shape);
        Assert.Equal(42L, file.Tensors["n"].item<long>());
        Assert.Equal(new float[] { 1f, -3.5f }, file.Tensors["b"].to(ScalarType.Float32).data<float>().ToArray());
    }

    [Fact]
    public void Reads_what_the_writer_writes()
    {
        using var dir = new TempDir();
        string path = dir.Combine("w.pt");
        using var a = randn(3, 4, 5);
        using var h = randn(7).to(ScalarType.Float16);
        using var b = randn(2, 2).to(ScalarType.BFloat16);
        using var n = tensor(123456789012L);
        using var big = arange(70000, dtype: ScalarType.Float32); // numel needs BININT
        TorchCheckpoint.Save(path, [new("a", a), new("h", h), new("b", b), new("n", n), new("big", big)]);
        using (var zip = ZipFile.OpenRead(path))
            Assert.Equal(["archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1", "archive/data/2", "archive/data/3", "archive/data/4", "archive/version"],
                zip.Entries.Select(e => e.FullName));
        using var file = TorchCheckpoint.Load(path);
        foreach (var (name, expected) in new[] { ("a", a), ("h", h), ("b", b), ("n", n), ("big", big) })
        {
            Assert.Equal(expected.dtype, file.Tensors[name].dtype);
            Assert.Equal(expected.shape, file.Tensors[name].shape);
            Assert.True(expected.eq(file.Tensors[name]).all().item<bool>(), name);
        }
    }

    [Fact]
    public void Long_memo_indices_are_read_as_in_large_state_dicts()
    {
        using var dir = new TempDir();
        string path = dir.Combine("memo.pth");
        // OrderedDict memoised at index 300 (LONG_BINPUT), fetched back (LONG_BINGET) for the _metadata value set via BUILD.
        WriteZip(path, "archive/", [0x80, 0x02, .. Global("collections", "OrderedDict"), 0x72, 44, 1, 0, 0, 0x29, 0x52,
            0x7D, .. Str("_metadata"), 0x6A, 44, 1, 0, 0, 0x29, 0x52, 0x73, 0x62, 0x2E]);
        using var file = TorchCheckpoint.Load(path);
        Assert.Empty(file.Tensors);
    }

    [Fact]
    public void Legacy_non_zip_files_are_rejected_with_the_fix()
    {
        using var dir = new TempDir();
        string path = dir.Combine("old.pth");
        // Pre-1.6 torch.save output begins with a protocol-2 pickle of the magic number 0x1950a86a20f9469cfc6c.
        File.WriteAllBytes(path, [0x80, 0x02, 0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19, 0x2E]);
        var e = Assert.Throws<ResNetSharpException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("legacy", e.Message);
        Assert.Contains("torch.save(model.state_dict(), path)", e.Message);
    }

    [Fact]
    public void A_pickle_calling_os_system_is_rejected_and_nothing_runs()
    {
        using var dir = new TempDir();
        string marker = dir.Combine("pwned");
        string path = dir.Combine("evil.pth");
        // cos\nsystem\n (X "touch marker") \x85 R . : pickle's classic "os.system(cmd)" payload.
        WriteZip(path, "archive/", [0x80, 0x02, .. Global("os", "system"), .. Str($"touch {marker}"), 0x85, 0x52, 0x2E]);
        var e = Assert.Throws<ResNetSharpException>(() => TorchCheckpoint.Load(path));
        Assert.Contains("unsupported pickle global os.system", e.Message);
        Assert.Contains("not a plain state_dict", e.Message);
        Assert.False(File.Exists(marker));
    }

    [Theory]
    [InlineData(new byte[] { 0x80, 0x02, 0x81 }, "unsupported pickle opcode 0x81")]               // NEWOBJ
    [InlineData(new byte[] { 0x80, 0x02, 0x58, 0xFF, 0, 0, 0, 0x41 }, "ends unexpectedly")]       // BINUNICODE past the end
    [InlineData(new byte[] { 0x80, 0x02, 0x4B, 1, 0x2E }, "not a dict of tensors")]               // a bare int
    public void Malformed_pickles_give_clear_errors(byte[] pickle, string expected)
    {
        using var dir = new TempDir();
        string path = dir.Combine("bad.pth");
        WriteZip(path, "archive/", pickle);
        Assert.Contains(expected, Assert.Throws<ResNetSharpException>(() => TorchCheckpoint.Load(path)).Message);
    }

    [Fact]
    public void A_missing_storage_record_is_a_clear_error()
    {
        using var dir = new TempDir();
        string path = dir.Combine("short.pth");
        WriteZip(path, "archive/", HandPickle()); // no data/ records
        Assert.Contains("lacks the storage record data/0", Assert.Throws<ResNetSharpException>(() => TorchCheckpoint.Load(path)).Message);
    }
}
