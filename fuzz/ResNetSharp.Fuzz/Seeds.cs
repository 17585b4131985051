using System.Buffers.Binary;
using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Google.Protobuf;
using ResNetSharp.Cli.Options;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Onnx.Proto;
using ResNetSharp.Models;
using ResNetSharp.Interop.Torch;
using ResNetSharp.Training;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Fuzz;

/// <summary>
/// Writes the seed corpus: a few small valid inputs per target (AFL mutates from them), made with the project's own
/// writers and SkiaSharp's encoders so they stay in step with the formats. Committed under fuzz/corpus/&lt;target&gt;/.
/// </summary>
/// <remarks>
/// The MAT-file seeds (fuzz/corpus/mat/) are the SVHN test fixtures written by scipy
/// (tests/ResNetSharp.Tests/Data/Fixtures/make_svhn_fixtures.py), copied: the project has no MAT writer. The targz
/// corpus also holds hostile archives (reject-*: a <c>../</c> member, links out of the folder) written here too. The
/// config-yaml corpus's other files (hand-written flags, bad keys and values, alias bombs) are committed as they are.
/// </remarks>
internal static class Seeds
{
    /// <summary>Writes every target's seeds to <paramref name="root"/>/&lt;target&gt;/seed-*.</summary>
    public static void Write(string root)
    {
        byte[] png = Encode(SKEncodedImageFormat.Png), jpeg = Encode(SKEncodedImageFormat.Jpeg), webp = Encode(SKEncodedImageFormat.Webp);
        var seeds = new Dictionary<string, (string Name, byte[] Bytes)[]>
        {
            ["image"] = [("png", png), ("jpg", jpeg), ("webp", webp)],
            ["image-skia"] = [("png", png), ("jpg", jpeg)],
            ["image-turbo"] = [("jpg", jpeg)],
            ["oip"] = Oip(png),
            ["multipart"] =
            [
                ("raw", [.. "image/png\n"u8, .. png]),
                ("form", Utf8($"multipart/form-data; boundary=XyZ\n--XyZ\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n", png, "\r\n--XyZ--\r\n")),
            ],
            ["pickle"] = [("state-dict", PickleWriter.StateDict([("w", ScalarType.Float32, [2, 2]), ("n", ScalarType.Int64, [])]))],
            ["pth"] = [("state-dict", Saved(".pth", TorchCheckpoint.Save))],
            ["safetensors"] = [("state-dict", Saved(".safetensors", (path, t) => SafeTensors.Save(path, t, new Dictionary<string, string> { ["format"] = "pt" })))],
            ["tar"] = [("ustar", Tar(TarEntryFormat.Ustar, png, jpeg)), ("pax", Tar(TarEntryFormat.Pax, png, jpeg))],
            ["cifar"] = [("cifar10", Record(1)), ("cifar100", Record(2))],
            ["idx"] = [("labels", IdxLabels), ("images", IdxImages), ("images-gz", Gzip(IdxImages))],
            ["stl10"] = [("one-image", [1, 3, .. Enumerable.Range(0, 3 * 96 * 96).Select(i => (byte)i)])],
            ["targz"] = TarGz(),
            ["onnx-model"] = [("metadata", OnnxModel())],
            ["api-keys"] = [("keys", "# rotated monthly\nk3y-one\n  k3y-two  # spare\n\n"u8.ToArray())],
            ["config-yaml"] = [("args", RunArgs())],
        };
        foreach (var (target, files) in seeds)
        {
            string dir = Directory.CreateDirectory(Path.Combine(root, target)).FullName;
            foreach (var (name, bytes) in files)
                File.WriteAllBytes(Path.Combine(dir, name.StartsWith("reject-", StringComparison.Ordinal) ? name : $"seed-{name}"), bytes);
        }
    }

    /// <summary>A run directory's args.yaml as <c>resnet train</c> writes it (quoted, null and nested settings included).</summary>
    private static byte[] RunArgs()
    {
        string path = Path.GetTempFileName();
        try
        {
            ConfigFile.Write(path, new TrainOptions { Epochs = 3, Lr = 0.05, OutDir = "runs/a b", Ema = 0.999, Augment = "standard,mixup=0.2", Optimizer = OptimizerKind.AdamW });
            return File.ReadAllBytes(path);
        }
        finally { File.Delete(path); }
    }

    /// <summary>An 8×8 gradient with some transparency, encoded as <paramref name="format"/>.</summary>
    private static byte[] Encode(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < 8; y++)
            for (int x = 0; x < 8; x++) bitmap.SetPixel(x, y, new SKColor((byte)(32 * x), (byte)(32 * y), 128, (byte)(x == 0 ? 128 : 255)));
        using var data = bitmap.Encode(format, 80);
        return data.ToArray();
    }

    /// <summary>Open Inference Protocol requests: FP32 and BYTES, in JSON and with binary data.</summary>
    private static (string, byte[])[] Oip(byte[] png)
    {
        const string outputs = "\"outputs\": [{\"name\": \"logits\", \"parameters\": {\"classification\": 2, \"binary_data\": true}}]";
        byte[] floats = new byte[8];
        BinaryPrimitives.WriteSingleLittleEndian(floats, 0.5f);
        BinaryPrimitives.WriteSingleLittleEndian(floats.AsSpan(4), -1.25f);
        byte[] element = [.. BitConverter.GetBytes(png.Length), .. png];
        string BinaryHeader(string datatype, long shape, int size) =>
            $"{{\"id\": \"7\", \"inputs\": [{{\"name\": \"input\", \"datatype\": \"{datatype}\", \"shape\": [{shape}], \"parameters\": {{\"binary_data_size\": {size}}}}}], \"parameters\": {{\"binary_data_output\": true}}}}";
        string fp32 = BinaryHeader("FP32", 2, floats.Length), bytes = BinaryHeader("BYTES", 1, element.Length);
        return
        [
            ("json-fp32", Utf8($"\n{{\"id\": \"1\", \"inputs\": [{{\"name\": \"input\", \"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [[0.5, -1.25]]}}], {outputs}}}")),
            ("json-bytes", Utf8($"\n{{\"inputs\": [{{\"name\": \"input\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"{Convert.ToBase64String(png)}\"]}}]}}")),
            ("binary-fp32", Utf8($"{Encoding.UTF8.GetByteCount(fp32)}\n{fp32}", floats)),
            ("binary-bytes", Utf8($"{Encoding.UTF8.GetByteCount(bytes)}\n{bytes}", element)),
        ];
    }

    /// <summary>A two-tensor state_dict (float32 and int64) saved by <paramref name="save"/>, read back as bytes.</summary>
    private static byte[] Saved(string extension, Action<string, IEnumerable<KeyValuePair<string, Tensor>>> save)
    {
        string path = Path.Combine(Path.GetTempPath(), $"resnetsharp-fuzz-seed-{Environment.ProcessId}{extension}");
        using (var scope = NewDisposeScope())
            save(path, new Dictionary<string, Tensor> { ["conv.weight"] = arange(6, float32).view(2, 3), ["bn.num_batches_tracked"] = tensor(3L) });
        var bytes = File.ReadAllBytes(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>A WebDataset shard of two samples (a PNG and a JPEG with their .cls) and a .json member it ignores.</summary>
    private static byte[] Tar(TarEntryFormat format, byte[] png, byte[] jpeg)
    {
        using var stream = new MemoryStream();
        using (var writer = new TarWriter(stream, format, leaveOpen: true))
        {
            void Add(string name, byte[] data) => writer.WriteEntry(format == TarEntryFormat.Pax
                ? new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) }
                : new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            Add("s/000.png", png);
            Add("s/000.cls", "3"u8.ToArray());
            Add("s/001.jpg", jpeg);
            Add("s/001.cls", "1\n"u8.ToArray());
            Add("s/001.json", "{}"u8.ToArray());
        }
        return stream.ToArray();
    }

    /// <summary>An IDX label file: uint8 [3].</summary>
    private static byte[] IdxLabels => [0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9];

    /// <summary>An IDX image file: uint8 [2, 3, 4].</summary>
    private static byte[] IdxImages => [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, .. Enumerable.Range(0, 24).Select(i => (byte)(10 * i))];

    private static byte[] Gzip(byte[] bytes)
    {
        using var stream = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(bytes);
        return stream.ToArray();
    }

    /// <summary>
    /// STL-10-like archives: a valid one (stl10_binary/ with two small files, and a link inside it), and the hostile
    /// ones the unpacker must refuse without writing outside its folder: a <c>../</c> member, a symbolic link and a
    /// hard link pointing out of the folder.
    /// </summary>
    private static (string, byte[])[] TarGz()
    {
        static byte[] Archive(params PaxTarEntry[] entries)
        {
            using var stream = new MemoryStream();
            using (var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true))
            using (var writer = new TarWriter(gzip, TarEntryFormat.Pax))
                foreach (var entry in entries) writer.WriteEntry(entry);
            return stream.ToArray();
        }
        static PaxTarEntry File(string name, string text) => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };
        static PaxTarEntry Link(TarEntryType type, string name, string target) => new(type, name) { LinkName = target };
        var folder = new PaxTarEntry(TarEntryType.Directory, "stl10_binary/");
        return
        [
            ("valid", Archive(folder, File("stl10_binary/class_names.txt", "airplane\nbird\n"), File("stl10_binary/test_y.bin", "\u0001"),
                Link(TarEntryType.SymbolicLink, "stl10_binary/names", "class_names.txt"))),
            ("reject-dot-dot", Archive(folder, File("stl10_binary/../../../../escaped.txt", "out"))),
            ("reject-symlink-out", Archive(folder, Link(TarEntryType.SymbolicLink, "stl10_binary/up", "../../../.."))),
            ("reject-hardlink-out", Archive(folder, Link(TarEntryType.HardLink, "stl10_binary/key", "../../../../../../etc/hostname"))),
        ];
    }

    /// <summary>A minimal graph (one input, one output, no nodes) carrying ResNetSharp's metadata: the metadata is under test.</summary>
    private static byte[] OnnxModel()
    {
        var proto = new ModelProto { IrVersion = 8, Graph = new GraphProto { Name = "fuzz" } };
        proto.Graph.Input.Add(new ValueInfoProto { Name = "input" });
        proto.Graph.Output.Add(new ValueInfoProto { Name = "logits" });
        new OnnxModelInfo("resnet18", ["cat", "dog"], [0.5f], [0.25f], new InputShape(1, 28, 28), 0.875f).WriteTo(proto);
        return proto.ToByteArray();
    }

    /// <summary>One CIFAR record: <paramref name="labelBytes"/> label bytes (1: CIFAR-10, 2: CIFAR-100), then 3072 pixel bytes.</summary>
    private static byte[] Record(int labelBytes) => [.. Enumerable.Repeat((byte)3, labelBytes), .. Enumerable.Range(0, 3072).Select(i => (byte)i)];

    private static byte[] Utf8(string text, params byte[][] rest) => [.. Encoding.UTF8.GetBytes(text), .. rest.SelectMany(b => b)];

    private static byte[] Utf8(string head, byte[] middle, string tail) => Utf8(head, middle, Encoding.UTF8.GetBytes(tail));
}
