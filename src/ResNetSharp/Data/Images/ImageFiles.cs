using System.Collections.Concurrent;
using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Images;

/// <summary>Reads image files (JPEG, PNG, BMP, GIF, WebP — whatever SkiaSharp decodes) as pixels and tensors.</summary>
public static class ImageFiles
{
    /// <summary>
    /// Decode options that skip Skia's fill of an incomplete image's missing rows: every caller rejects an incomplete
    /// decode, and for a truncated JPEG decoded in a column subset that fill wrote past the buffer (a segmentation fault
    /// that fuzzing found; docs/security.md).
    /// </summary>
    internal static readonly SKCodecOptions NoFill = new(SKZeroInitialized.Yes);

    /// <summary>File extensions treated as images when scanning folders (case-insensitive).</summary>
    public static IReadOnlySet<string> Extensions { get; } =
        new HashSet<string>(StringComparer.OrdinalIgnoreCase) { ".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp" };

    /// <summary>
    /// Loads an image as uint8 [C,H,W]: RGB for <paramref name="channels"/> = 3 (grayscale files are replicated,
    /// alpha is dropped), luma (0.299 R + 0.587 G + 0.114 B, as PIL's convert("L")) for 1.
    /// </summary>
    public static Tensor Load(string path, int channels = 3)
    {
        using var bitmap = Decode(path);
        return ToTensor(bitmap, channels);
    }

    /// <summary>Decodes a file to an RGBA bitmap; a missing, corrupt, truncated or unsupported file is a clear error naming it.</summary>
    public static SKBitmap Decode(string path)
    {
        CheckExists(path);
        if (TurboJpeg.IsAvailable)
        {
            byte[] data;
            try { data = File.ReadAllBytes(path); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw Unreadable(path); }
            return Decode(data, path);
        }
        using var codec = SKCodec.Create(path) ?? throw Unreadable(path);
        return Decode(codec, path);
    }

    /// <summary>
    /// Decodes encoded image bytes (e.g. an upload) to an RGBA bitmap; bytes that are not a supported image, or an
    /// image cut short, are a clear error naming <paramref name="name"/>. JPEGs go through libjpeg-turbo's TurboJPEG
    /// when it is installed (the same pixels as SkiaSharp's, faster; see <see cref="CropDecoder"/>).
    /// </summary>
    public static SKBitmap Decode(byte[] data, string name)
    {
        if (TryTurboJpeg(data, name) is { } decoded) return decoded;
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream) ?? throw Unreadable(name);
        return Decode(codec, name);
    }

    /// <summary>Decompressors shared by the threads that decode single images (uploads, files to predict).</summary>
    private static readonly ConcurrentBag<TurboJpeg> Decompressors = [];

    /// <summary>The JPEG <paramref name="data"/> through TurboJPEG; null when it is not installed or does not decode the file cleanly.</summary>
    private static unsafe SKBitmap? TryTurboJpeg(byte[] data, string name)
    {
        if (!TurboJpeg.IsAvailable) return null;
        fixed (byte* bytes = data)
        {
            if (!Decompressors.TryTake(out var turbo) && (turbo = TurboJpeg.TryCreate()) is null) return null;
            try
            {
                if (!turbo.TryReadSize((IntPtr)bytes, data.Length, out int width, out int height)) return null;
                CheckSize(width, height, name);
                var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
                if (turbo.TryDecode((IntPtr)bytes, data.Length, bitmap.GetPixels(), width, height)) return bitmap;
                bitmap.Dispose();
                return null;
            }
            finally { Decompressors.Add(turbo); }
        }
    }

    private static SKBitmap Decode(SKCodec codec, string name)
    {
        CheckSize(codec.Info.Width, codec.Info.Height, name);
        var bitmap = new SKBitmap(codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul));
        var result = codec.GetPixels(bitmap.Info, bitmap.GetPixels(), NoFill);
        if (result == SKCodecResult.Success) return bitmap;
        bitmap.Dispose();
        throw result == SKCodecResult.IncompleteInput ? Truncated(name) : Unreadable(name);
    }

    /// <summary>Fails with a clear error naming <paramref name="path"/> when no such file exists.</summary>
    public static void CheckExists(string path)
    {
        if (!File.Exists(path))
            throw new ResNetSharpException($"image file '{path}' does not exist; check the path.");
    }

    /// <summary>Width and height from the file header, without decoding the pixels.</summary>
    public static (int Width, int Height) ReadSize(string path)
    {
        using var codec = SKCodec.Create(path) ?? throw Unreadable(path);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>Pixels of an RGBA bitmap as uint8 [C,H,W].</summary>
    public static Tensor ToTensor(SKBitmap bitmap, int channels = 3)
    {
        if (channels is not (1 or 3))
            throw new ResNetSharpException($"images can be loaded with 1 or 3 channels, not {channels}.");
        var rgb = tensor(ImageTransforms.ToChw(bitmap), [3, bitmap.Height, bitmap.Width]);
        if (channels == 3) return rgb;
        using var scope = NewDisposeScope();
        var luma = tensor(new[] { 0.299f, 0.587f, 0.114f }).view(3, 1, 1);
        return (rgb.to(float32) * luma).sum(0, keepdim: true).round().clamp(0, 255).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Evaluation preprocessing of one uint8 [C,H,W] image for a model with input <paramref name="size"/>: an image
    /// already at that size is only scaled to [0,1] and normalised (torchvision ToTensor + Normalize, no
    /// resampling); any other is first resized (shorter side to size / <paramref name="cropFraction"/>: 224 → 256 by
    /// default, 232 for torchvision's V2 weights) and centre-cropped. Returns float [C,H,W].
    /// </summary>
    public static Tensor PreprocessForEval(Tensor image, (int Channels, int Height, int Width) size, float[] mean, float[] std,
        float cropFraction = ImageTransforms.CenterCropFraction)
    {
        if (image.shape[1] == size.Height && image.shape[2] == size.Width)
            return TensorTransforms.Normalize(image, mean, std);
        using var scope = NewDisposeScope();
        using var bitmap = ImageTransforms.FromChw(image);
        var rect = ImageTransforms.CenterCropRect(bitmap.Width, bitmap.Height, size.Height, size.Width, cropFraction);
        var pixels = ImageTransforms.Render(bitmap, rect, size.Height, size.Width, flip: false);
        var resized = tensor(pixels, [3, size.Height, size.Width]);
        if (image.shape[0] == 1) resized = resized[..1];
        return TensorTransforms.Normalize(resized, mean, std).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Pixels per image past which <see cref="Warn"/> is told (PIL's <c>Image.MAX_IMAGE_PIXELS</c>, 89,478,485:
    /// a 1 GB RGBA bitmap at 12 bytes a pixel, as PIL's DecompressionBombWarning).
    /// </summary>
    public const long WarnPixels = 89_478_485;

    /// <summary>
    /// The decompression-bomb guard: an image whose header claims more pixels is an error before any pixel is
    /// allocated (default twice <see cref="WarnPixels"/>, as PIL's DecompressionBombError). The CLI's
    /// <c>--max-pixels</c> sets it.
    /// </summary>
    public static long MaxPixels { get; set; } = 2 * WarnPixels;

    /// <summary>Told (with the image's name and size) about each image over <see cref="WarnPixels"/> that is still decoded; null: nobody.</summary>
    public static Action<string>? Warn { get; set; }

    /// <summary>
    /// Width and height from the header of encoded <paramref name="data"/>, without decoding the pixels; bytes that
    /// are no supported image are a clear error naming <paramref name="name"/>.
    /// </summary>
    public static (int Width, int Height) ReadSize(byte[] data, string name)
    {
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream) ?? throw Unreadable(name);
        return (codec.Info.Width, codec.Info.Height);
    }

    /// <summary>
    /// Fails with a clear error naming <paramref name="name"/> when its header claims more than <see cref="MaxPixels"/>
    /// pixels or its RGBA pixels would not fit in one .NET array (2 GB: more than ~536 million pixels): a
    /// decompression bomb's, or a header no photo has.
    /// </summary>
    internal static void CheckSize(int width, int height, string name)
    {
        if (SizeProblem(width, height) is { } problem) throw new ResNetSharpException($"image '{name}' {problem}");
        long pixels = (long)width * height;
        if (pixels > WarnPixels) Warn?.Invoke($"image '{name}' has {width}x{height} = {pixels / 1e6:0.#} M pixels, more than {WarnPixels / 1e6:0.#} M: it may be a decompression bomb.");
    }

    /// <summary>Why an image whose header claims width × height must not be decoded (see <see cref="CheckSize"/>), or null.</summary>
    internal static string? SizeProblem(int width, int height)
    {
        long pixels = (long)width * height;
        if (pixels > MaxPixels)
            return $"claims {width}x{height} = {pixels / 1e6:0.#} M pixels, over the limit of {MaxPixels / 1e6:0.#} M that guards against decompression bombs: resize it, or raise the limit with InferenceSettings.MaxPixels N if you trust the file.";
        if (4 * pixels > Array.MaxLength)
            return $"claims {width}x{height} pixels, too large to decode (over 2 GB as RGBA); resize or remove it.";
        return null;
    }

    internal static ResNetSharpException Truncated(string name) =>
        new($"image '{name}' is truncated (the file ends before its last pixels); replace or remove it.");

    internal static ResNetSharpException Unreadable(string path) =>
        new($"cannot decode image '{path}': the file is corrupt or not a supported format (JPEG, PNG, BMP, GIF, WebP); replace or remove it.");
}
