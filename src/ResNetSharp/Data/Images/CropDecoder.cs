using System.Runtime.InteropServices;
using SkiaSharp;

namespace ResNetSharp.Data.Images;

/// <summary>
/// Decodes one encoded image and draws a rectangle of it, resized in one bilinear pass, into caller-owned RGBA8888
/// pixels (a slot of a pooled batch buffer). The rectangle is chosen from the full-size dimensions; in
/// <see cref="DecodeMode.Fast"/> a JPEG is decoded at a reduced DCT scale and only the rows and columns the
/// rectangle needs, the rectangle mapped into the scaled image. Reuses its pixel buffer across images.
/// </summary>
public sealed class CropDecoder
{
    /// <summary>The DCT scale denominators tried, largest first (libjpeg-turbo's fast IDCT scales).</summary>
    private static readonly int[] Denominators = [8, 4, 2];

    private static readonly SKSamplingOptions Bilinear = new(SKFilterMode.Linear, SKMipmapMode.None);

    private byte[] _pixels = [];

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
    /// Decodes <paramref name="encoded"/> (named <paramref name="name"/> in errors), picks the source rectangle and
    /// whether to mirror it with <paramref name="chooseRect"/>(width, height) and draws it into
    /// <paramref name="destination"/>: outWidth × outHeight RGBA8888 pixels, rows of 4 · outWidth bytes. A file that is not a decodable image, or one cut short
    /// before the rows the rectangle needs, is a <see cref="ResNetSharpException"/> naming it.
    /// </summary>
    public void Decode(SKData encoded, string name, Func<int, int, (SKRect Rect, bool Flip)> chooseRect, int outWidth, int outHeight, DecodeMode mode, IntPtr destination)
    {
        using var codec = SKCodec.Create(encoded) ?? throw ImageFiles.Unreadable(name);
        var full = codec.Info;
        var (rect, flip) = chooseRect(full.Width, full.Height);
        // Fast mode draws opaque images (JPEGs) as opaque, skipping Skia's premultiply/unpremultiply around the filter
        // (0.2-0.4 ms per image; pixels within one level of exact mode's, which keeps today's pixels).
        var alpha = mode == DecodeMode.Fast && full.AlphaType == SKAlphaType.Opaque ? SKAlphaType.Opaque : SKAlphaType.Unpremul;
        var (image, source) = mode == DecodeMode.Fast && codec.EncodedFormat == SKEncodedImageFormat.Jpeg
            ? DecodeRegion(codec, name, rect, outWidth, outHeight, alpha)
            : (DecodeWhole(codec, name, full.Width, full.Height, alpha), rect);
        using (image) Draw(image, source, outWidth, outHeight, flip, destination, alpha);
    }

    /// <summary>The whole image at full size (the exact path: <see cref="ImageFiles.Decode(string)"/>'s pixels).</summary>
    private SKImage DecodeWhole(SKCodec codec, string name, int width, int height, SKAlphaType alpha)
    {
        var info = Rgba(width, height, alpha);
        var pixels = Buffer(info.BytesSize);
        var result = codec.GetPixels(info, pixels);
        if (result != SKCodecResult.Success) throw Bad(name, result);
        return SKImage.FromPixels(info, pixels, info.RowBytes);
    }

    /// <summary>
    /// The rows and columns of <paramref name="rect"/> (plus one pixel of margin for the bilinear filter) decoded at
    /// scale 1/<see cref="ScaleDenominator"/>, and the rectangle in that region's coordinates.
    /// </summary>
    private (SKImage, SKRect) DecodeRegion(SKCodec codec, string name, SKRect rect, int outWidth, int outHeight, SKAlphaType alpha)
    {
        var full = codec.Info;
        var scaled = codec.GetScaledDimensions(1f / ScaleDenominator(rect, outWidth, outHeight));
        float sx = (float)scaled.Width / full.Width, sy = (float)scaled.Height / full.Height;
        var mapped = new SKRect(rect.Left * sx, rect.Top * sy, rect.Right * sx, rect.Bottom * sy);
        int left = Math.Max(0, (int)Math.Floor(mapped.Left) - 1), right = Math.Min(scaled.Width, (int)Math.Ceiling(mapped.Right) + 1);
        int top = Math.Max(0, (int)Math.Floor(mapped.Top) - 1), bottom = Math.Min(scaled.Height, (int)Math.Ceiling(mapped.Bottom) + 1);
        var info = Rgba(scaled.Width, scaled.Height, alpha);
        var options = new SKCodecOptions(SKRectI.Create(left, 0, right - left, scaled.Height));
        var start = codec.StartScanlineDecode(info, options);
        if (start != SKCodecResult.Success) throw Bad(name, start);
        var region = Rgba(right - left, bottom - top, alpha);
        var pixels = Buffer(region.BytesSize);
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
        canvas.DrawImage(image, source, SKRect.Create(width, height), Bilinear);
    }

    private static SKImageInfo Rgba(int width, int height, SKAlphaType alpha) => new(width, height, SKColorType.Rgba8888, alpha);

    /// <summary>The reused decode buffer, grown to at least <paramref name="bytes"/> (pinned, so Skia can write to it).</summary>
    private IntPtr Buffer(long bytes)
    {
        if (_pixels.Length < bytes) _pixels = GC.AllocateUninitializedArray<byte>((int)bytes, pinned: true);
        return Marshal.UnsafeAddrOfPinnedArrayElement(_pixels, 0);
    }

    private static ResNetSharpException Bad(string name, SKCodecResult result) => result == SKCodecResult.IncompleteInput
        ? new($"image '{name}' is truncated (the file ends before its last pixels); replace or remove it.")
        : ImageFiles.Unreadable(name);
}
