using System.Runtime.InteropServices;
using SkiaSharp;

namespace ResNetSharp.Data.Images;

/// <summary>
/// Decodes one encoded image and draws a rectangle of it, resized in one bilinear pass, into caller-owned RGBA8888
/// pixels (a slot of a pooled batch buffer). The rectangle is chosen from the full-size dimensions. JPEGs go through
/// libjpeg-turbo's SIMD decoder (<see cref="TurboJpeg"/>) when it is installed, SkiaSharp otherwise (same pixels).
/// In <see cref="DecodeMode.Fast"/> a JPEG is decoded at a reduced DCT scale, the rectangle mapped into the scaled
/// image, and drawn as opaque; <see cref="DecodeMode.Exact"/> keeps the full-size decode and Skia's high-precision
/// filter (the pixels of <see cref="ImageFiles.Decode(string)"/> drawn by <see cref="Transforms.ImageTransforms.Render"/>).
/// Reuses its pixel buffer across images; one decoder per thread.
/// </summary>
public sealed class CropDecoder : IDisposable
{
    /// <summary>The DCT scale denominators tried, largest first (libjpeg-turbo's fast IDCT scales).</summary>
    private static readonly int[] Denominators = [8, 4, 2];

    private static readonly SKSamplingOptions Bilinear = new(SKFilterMode.Linear, SKMipmapMode.None);

    /// <summary>The output is overwritten, not blended over what the buffer held (Skia then never reads it).</summary>
    private static readonly SKPaint Overwrite = new() { BlendMode = SKBlendMode.Src };

    private readonly TurboJpeg? _turbo;
    private byte[] _pixels = [];

    /// <summary>A decoder; <paramref name="turboJpeg"/> false decodes every JPEG with SkiaSharp.</summary>
    public CropDecoder(bool turboJpeg = true) => _turbo = turboJpeg ? TurboJpeg.TryCreate() : null;

    /// <summary>Whether JPEGs go through libjpeg-turbo's TurboJPEG library (installed and enabled).</summary>
    public bool UsesTurboJpeg => _turbo is not null;

    /// <summary>
    /// The largest denominator d in 8, 4, 2 (else 1) with the crop still at least the output size at scale 1/d:
    /// width / d ≥ <paramref name="outWidth"/> and height / d ≥ <paramref name="outHeight"/>.
    /// </summary>
    public static int ScaleDenominator(SKRect crop, int outWidth, int outHeight)
    {
        foreach (int d in Denominators)
            if (crop.Width / d >= outWidth && crop.Height / d >= outHeight) return d;
        return 1;
    }

    /// <summary>
    /// Decodes the <paramref name="length"/> encoded bytes at <paramref name="encoded"/> (named <paramref name="name"/>
    /// in errors), picks the source rectangle and whether to mirror it with <paramref name="chooseRect"/>(width, height)
    /// and draws it into <paramref name="destination"/>: outWidth × outHeight RGBA8888 pixels, rows of 4 · outWidth
    /// bytes. A file that is not a decodable image, or one cut short, is a <see cref="ResNetSharpException"/> naming it.
    /// So is one whose header claims more than <see cref="ImageFiles.MaxPixels"/> at full size, before anything is
    /// decoded: a progressive JPEG makes libjpeg-turbo allocate the whole image's coefficients even at a reduced scale
    /// (fuzzing found a 2 KB file that took 9 GB).
    /// </summary>
    public void Decode(IntPtr encoded, int length, string name, Func<int, int, (SKRect Rect, bool Flip)> chooseRect, int outWidth, int outHeight,
        DecodeMode mode, IntPtr destination)
    {
        if (length == 0) throw ImageFiles.Unreadable(name);
        if (_turbo is not null && TryTurbo(_turbo, encoded, length, name, chooseRect, outWidth, outHeight, mode, destination)) return;
        using var data = SKData.Create(encoded, length);
        using var codec = SKCodec.Create(data) ?? throw ImageFiles.Unreadable(name);
        var full = codec.Info;
        ImageFiles.CheckSize(full.Width, full.Height, name);
        var (rect, flip) = chooseRect(full.Width, full.Height);
        bool opaque = full.AlphaType == SKAlphaType.Opaque;
        var (image, source) = mode == DecodeMode.Fast && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            ? DecodeRegion(codec, name, rect, outWidth, outHeight)
            : (DecodeWhole(codec, name, full.Width, full.Height, opaque), rect);
        using (image) Draw(image, source, outWidth, outHeight, flip, destination, Output(mode, opaque));
    }

    /// <summary>
    /// The JPEG path through TurboJPEG: the whole image at full size (exact) or at 1/<see cref="ScaleDenominator"/>
    /// (fast), then drawn. False, having written nothing, when TurboJPEG cannot read the file cleanly.
    /// </summary>
    private bool TryTurbo(TurboJpeg turbo, IntPtr encoded, int length, string name, Func<int, int, (SKRect Rect, bool Flip)> chooseRect,
        int outWidth, int outHeight, DecodeMode mode, IntPtr destination)
    {
        if (!turbo.TryReadSize(encoded, length, out int width, out int height)) return false;
        ImageFiles.CheckSize(width, height, name);
        var (rect, flip) = chooseRect(width, height);
        int d = mode == DecodeMode.Fast ? ScaleDenominator(rect, outWidth, outHeight) : 1;
        int scaledWidth = (width + d - 1) / d, scaledHeight = (height + d - 1) / d;
        var info = new SKImageInfo(scaledWidth, scaledHeight, SKColorType.Rgba8888, SKAlphaType.Premul);
        var pixels = Buffer(info);
        if (!turbo.TryDecode(encoded, length, pixels, scaledWidth, scaledHeight)) return false;
        float sx = (float)scaledWidth / width, sy = (float)scaledHeight / height;
        using var image = SKImage.FromPixels(info, pixels, info.RowBytes);
        Draw(image, new SKRect(rect.Left * sx, rect.Top * sy, rect.Right * sx, rect.Bottom * sy), outWidth, outHeight, flip, destination, Output(mode, opaque: true));
        return true;
    }

    /// <summary>
    /// The output's alpha type: fast mode draws opaque images as opaque (Skia's low-precision filter, 0.3-0.6 ms less
    /// per image, pixels within one level of exact's); exact mode keeps the unpremultiplied output of today's pixels.
    /// </summary>
    private static SKAlphaType Output(DecodeMode mode, bool opaque) => mode == DecodeMode.Fast && opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;

    /// <summary>
    /// The whole image at full size (the exact path: <see cref="ImageFiles.Decode(string)"/>'s pixels). An opaque
    /// image's pixels are tagged premultiplied (alpha 255: the same bytes), which spares Skia's filter a conversion.
    /// </summary>
    private SKImage DecodeWhole(SKCodec codec, string name, int width, int height, bool opaque)
    {
        var info = Rgba(width, height, opaque ? SKAlphaType.Premul : SKAlphaType.Unpremul);
        var pixels = Buffer(info);
        var result = codec.GetPixels(info, pixels, ImageFiles.NoFill);
        if (result != SKCodecResult.Success) throw Bad(name, result);
        return SKImage.FromPixels(info, pixels, info.RowBytes);
    }

    /// <summary>
    /// The rows and columns of <paramref name="rect"/> (plus one pixel of margin for the bilinear filter) decoded at
    /// scale 1/<see cref="ScaleDenominator"/>, and the rectangle in that region's coordinates.
    /// </summary>
    private (SKImage, SKRect) DecodeRegion(SKCodec codec, string name, SKRect rect, int outWidth, int outHeight)
    {
        var full = codec.Info;
        var scaled = codec.GetScaledDimensions(1f / ScaleDenominator(rect, outWidth, outHeight));
        float sx = (float)scaled.Width / full.Width, sy = (float)scaled.Height / full.Height;
        var mapped = new SKRect(rect.Left * sx, rect.Top * sy, rect.Right * sx, rect.Bottom * sy);
        int left = Math.Max(0, (int)Math.Floor(mapped.Left) - 1), right = Math.Min(scaled.Width, (int)Math.Ceiling(mapped.Right) + 1);
        int top = Math.Max(0, (int)Math.Floor(mapped.Top) - 1), bottom = Math.Min(scaled.Height, (int)Math.Ceiling(mapped.Bottom) + 1);
        var info = Rgba(scaled.Width, scaled.Height, SKAlphaType.Opaque);
        var options = ImageFiles.NoFill with { Subset = SKRectI.Create(left, 0, right - left, scaled.Height) };
        var start = codec.StartScanlineDecode(info, options);
        if (start != SKCodecResult.Success) throw Bad(name, start);
        var region = Rgba(right - left, bottom - top, SKAlphaType.Opaque);
        var pixels = Buffer(region);
        if (top > 0 && !codec.SkipScanlines(top) || codec.GetScanlines(pixels, region.Height, region.RowBytes) != region.Height)
            throw Bad(name, SKCodecResult.IncompleteInput);
        return (SKImage.FromPixels(region, pixels, region.RowBytes), new SKRect(mapped.Left - left, mapped.Top - top, mapped.Right - left, mapped.Bottom - top));
    }

    /// <summary>
    /// Draws <paramref name="source"/> of <paramref name="image"/>, mirrored left-right when <paramref name="flip"/>,
    /// over the whole width × height RGBA output at <paramref name="destination"/> (the flip costs nothing extra).
    /// </summary>
    private static void Draw(SKImage image, SKRect source, int width, int height, bool flip, IntPtr destination, SKAlphaType alpha)
    {
        using var output = new SKBitmap();
        var info = Rgba(width, height, alpha);
        output.InstallPixels(info, destination, info.RowBytes);
        using var canvas = new SKCanvas(output);
        if (flip)
        {
            canvas.Translate(width, 0);
            canvas.Scale(-1, 1);
        }
        canvas.DrawImage(image, source, SKRect.Create(width, height), Bilinear, Overwrite);
    }

    /// <inheritdoc/>
    public void Dispose() => _turbo?.Dispose();

    private static SKImageInfo Rgba(int width, int height, SKAlphaType alpha) => new(width, height, SKColorType.Rgba8888, alpha);

    /// <summary>The reused decode buffer, grown to hold <paramref name="info"/>'s pixels (pinned, so Skia can write to it).</summary>
    private IntPtr Buffer(SKImageInfo info)
    {
        if (_pixels.Length < info.BytesSize64) _pixels = GC.AllocateUninitializedArray<byte>((int)info.BytesSize64, pinned: true);
        return Marshal.UnsafeAddrOfPinnedArrayElement(_pixels, 0);
    }

    private static ResNetSharpException Bad(string name, SKCodecResult result) =>
        result == SKCodecResult.IncompleteInput ? ImageFiles.Truncated(name) : ImageFiles.Unreadable(name);
}
