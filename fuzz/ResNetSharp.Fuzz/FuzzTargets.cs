using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Http;
using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Sources;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Interop.Torch;
using ResNetSharp.Serving;
using ResNetSharp.Serving.Http;
using ResNetSharp.Serving.Protocol;
using SkiaSharp;

namespace ResNetSharp.Fuzz;

/// <summary>
/// The fuzz targets: every parser of untrusted bytes, each fed one input by name ("image": header sniffing and the
/// single-image decode of uploads, TurboJPEG when installed; "image-skia" / "image-turbo": the data loaders' crop
/// decoder; docs/security.md lists them all). A target may reject its input only with the project's own errors
/// (<see cref="ResNetSharpException"/>, <see cref="ServingException"/>); any other exception escapes <see cref="Run"/>
/// and is a crash. Shared by the AFL harness (fuzz/ResNetSharp.Fuzz) and the corpus replay tests, so both run the
/// same code. Readers that take a path get the input written to
/// <paramref name="scratch"/> (a folder this instance owns; one instance per thread).
/// </summary>
/// <remarks>
/// A new reader joins with one line in <see cref="All"/> (name → a call on the bytes) and a few small valid inputs in
/// fuzz/corpus/&lt;name&gt;/ (written by <c>ResNetSharp.Fuzz --seeds</c>); fuzz/run.sh and the corpus replay tests pick it up.
/// </remarks>
public sealed partial class FuzzTargets(string scratch) : IDisposable
{
    /// <summary>The bound on a multipart body, as the server's <c>--max-body-mb</c> would set it.</summary>
    private const long BodyLimit = 1 << 20;

    /// <summary>The output side the image decoders draw into (small: the parse, not the resize, is under test).</summary>
    private const int Side = 16;

    private readonly CropDecoder _skia = new(turboJpeg: false), _turbo = new(turboJpeg: true);
    private readonly byte[] _output = GC.AllocateArray<byte>(4 * Side * Side, pinned: true);

    /// <summary>The targets by name (the name is the corpus folder fuzz/corpus/&lt;name&gt; and the harness's argument).</summary>
    private static readonly Dictionary<string, Action<FuzzTargets, byte[]>> All = new()
    {
        ["image"] = (_, input) => ImageFiles.Decode(input, "fuzz").Dispose(),
        ["image-skia"] = (t, input) => t.Crop(t._skia, input),
        ["image-turbo"] = (t, input) => t.Crop(t._turbo, input),
        ["oip"] = (_, input) => Oip(input),
        ["multipart"] = (_, input) => Multipart(input),
        ["pickle"] = (_, input) => PickleReader.Read(input, "fuzz.pkl"),
        ["pth"] = (t, input) => TorchCheckpoint.Load(t.File("fuzz.pth", input)).Dispose(),
        ["safetensors"] = (t, input) => SafeTensors.Load(t.File("fuzz.safetensors", input)).Dispose(),
        ["tar"] = (t, input) => t.Tar(input),
        ["cifar"] = (t, input) => t.CifarBinary(input),
        ["idx"] = (t, input) => IdxFile(t.File("fuzz-idx3-ubyte", input)),
        ["stl10"] = (t, input) => t.Stl10Binary(input),
        ["mat"] = (t, input) => Mat(t.File("fuzz.mat", input)),
        ["targz"] = (t, input) => t.TarGz(input),
        ["onnx-model"] = (t, input) => OnnxModelFile.Load(t.File("fuzz.onnx", input)),
        ["api-keys"] = (t, input) => ApiKeyFile(t.File("fuzz.keys", input)),
        ["config-yaml"] = (t, input) => t.ConfigYaml(t.File("fuzz.yaml", input)),
    };

    /// <summary>The target names.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. All.Keys];

    /// <summary>Whether <paramref name="e"/> is a rejection the project means: one clear error, not a crash.</summary>
    public static bool IsExpected(Exception e) => e is ResNetSharpException or ServingException;

    /// <summary>
    /// Feeds <paramref name="input"/> to <paramref name="target"/>: null when it parses, the project's error when it
    /// is rejected as it should be; any other exception escapes (a crash).
    /// </summary>
    public Exception? Run(string target, byte[] input)
    {
        if (!All.TryGetValue(target, out var parse))
            throw new ArgumentException($"unknown fuzz target '{target}'; the targets are {string.Join(", ", Names)}.", nameof(target));
        try
        {
            parse(this, input);
            return null;
        }
        catch (Exception e) when (IsExpected(e))
        {
            return e;
        }
    }

    /// <summary>The data loaders' decode-crop-resize path, in both modes, from pinned memory as the loaders decode.</summary>
    private void Crop(CropDecoder decoder, byte[] input)
    {
        var pinned = GC.AllocateUninitializedArray<byte>(input.Length, pinned: true);
        input.CopyTo(pinned);
        foreach (var mode in new[] { DecodeMode.Fast, DecodeMode.Exact })
            decoder.Decode(Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), input.Length, "fuzz", (w, h) => (SKRect.Create(w / 4f, h / 4f, w / 2f, h / 2f), true),
                Side, Side, mode, Marshal.UnsafeAddrOfPinnedArrayElement(_output, 0));
    }

    /// <summary>An Open Inference Protocol request: the first line is the Inference-Header-Content-Length value (empty: none), the rest the body.</summary>
    private static void Oip(byte[] input)
    {
        var (header, body) = SplitLine(input);
        InferRequest.Parse(body, header.Length == 0 ? null : header);
    }

    /// <summary>A classify upload: the first line is the Content-Type, the rest the body (raw image or multipart/form-data).</summary>
    private static void Multipart(byte[] input)
    {
        var (contentType, body) = SplitLine(input);
        var request = new DefaultHttpContext().Request;
        request.ContentType = contentType;
        request.Body = new MemoryStream(body);
        RequestBody.ImagesAsync(request, BodyLimit, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>A WebDataset shard: every sample with its image bytes, then the header-only count.</summary>
    private void Tar(byte[] input)
    {
        string shard = File("train-000000.tar", input);
        foreach (var sample in WebDatasetShards.Read(shard, classCount: 10))
            if (sample.Bytes.Length > 0) ArrayPool<byte>.Shared.Return(sample.Bytes);
        WebDatasetShards.Count(shard, classCount: 10);
    }

    /// <summary>The bytes as a CIFAR test batch: CIFAR-100 when they are whole 3074-byte records, else CIFAR-10.</summary>
    private void CifarBinary(byte[] input)
    {
        var (variant, classes) = input.Length > 0 && input.Length % 3074 == 0 ? (Cifar.Cifar100, 100) : (Cifar.Cifar10, 10);
        string dir = Path.Combine(scratch, variant.Name);
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllLines(Path.Combine(dir, variant.LabelNamesFile), Enumerable.Range(0, classes).Select(i => $"class{i}"));
        System.IO.File.WriteAllBytes(Path.Combine(dir, variant.TestFile), input);
        using var source = Cifar.Open(variant, dir);
        source.Get(Split.Val);
    }

    /// <summary>Writes <paramref name="input"/> to <paramref name="name"/> in the scratch folder and returns its path.</summary>
    private string File(string name, byte[] input)
    {
        string path = Path.Combine(scratch, name);
        System.IO.File.WriteAllBytes(path, input);
        return path;
    }

    /// <summary>The input up to its first newline (as text, a header's value) and the bytes after it.</summary>
    private static (string Line, byte[] Body) SplitLine(byte[] input)
    {
        int newline = Array.IndexOf(input, (byte)'\n');
        return newline < 0 ? ("", input) : (Encoding.UTF8.GetString(input, 0, newline), input[(newline + 1)..]);
    }

    /// <summary>Releases the decoders.</summary>
    public void Dispose()
    {
        _skia.Dispose();
        _turbo.Dispose();
    }
}
