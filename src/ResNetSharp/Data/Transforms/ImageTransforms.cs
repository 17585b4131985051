using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Transforms;

/// <summary>
/// Per-image transforms for ImageNet-style data, on SkiaSharp bitmaps (bilinear sampling): the crop rectangles of
/// torchvision's RandomResizedCrop and Resize + CenterCrop, and rendering a source rectangle to a fixed-size CHW
/// pixel array. A crop followed by a resize is one draw of the source rectangle into the output.
/// </summary>
public static class ImageTransforms
{
    /// <summary>The ImageNet evaluation convention: resize the shorter side to size / 0.875 (224 → 256), crop the centre.</summary>
    public const float CenterCropFraction = 0.875f;

    /// <summary>
    /// torchvision RandomResizedCrop.get_params: up to 10 tries of a box with area fraction in
    /// [<paramref name="minScale"/>, <paramref name="maxScale"/>] and log-uniform aspect ratio in [3/4, 4/3] that fits
    /// the image, else a centre crop with the ratio clamped to that range.
    /// </summary>
    public static SKRect RandomResizedCropRect(int width, int height, Random rng, double minScale = 0.08, double maxScale = 1.0,
        double minRatio = 3.0 / 4, double maxRatio = 4.0 / 3)
    {
        double area = (double)width * height;
        for (int attempt = 0; attempt < 10; attempt++)
        {
            double target = area * (minScale + (maxScale - minScale) * rng.NextDouble());
            double ratio = Math.Exp(Math.Log(minRatio) + (Math.Log(maxRatio) - Math.Log(minRatio)) * rng.NextDouble());
            int w = (int)Math.Round(Math.Sqrt(target * ratio)), h = (int)Math.Round(Math.Sqrt(target / ratio));
            if (w > 0 && h > 0 && w <= width && h <= height)
            {
                int left = rng.Next(width - w + 1), top = rng.Next(height - h + 1);
                return SKRect.Create(left, top, w, h);
            }
        }
        double inRatio = (double)width / height;
        int cw = width, ch = height;
        if (inRatio < minRatio) ch = (int)Math.Round(width / minRatio);
        else if (inRatio > maxRatio) cw = (int)Math.Round(height * maxRatio);
        return SKRect.Create((width - cw) / 2, (height - ch) / 2, cw, ch);
    }

    /// <summary>
    /// The source rectangle of Resize(shorter side → side / <paramref name="fraction"/>) then CenterCrop(height, width),
    /// mapped back to the original image (torchvision rounds the crop's top-left corner like this).
    /// </summary>
    public static SKRect CenterCropRect(int width, int height, int cropHeight, int cropWidth, float fraction = CenterCropFraction)
    {
        double resizeTo = Math.Min(cropHeight, cropWidth) / (double)fraction;
        double scale = resizeTo / Math.Min(width, height);
        double rw = width * scale, rh = height * scale;
        double left = Math.Round((Math.Round(rw) - cropWidth) / 2.0, MidpointRounding.ToEven);
        double top = Math.Round((Math.Round(rh) - cropHeight) / 2.0, MidpointRounding.ToEven);
        return SKRect.Create((float)(left / scale), (float)(top / scale), (float)(cropWidth / scale), (float)(cropHeight / scale));
    }

    /// <summary>Draws <paramref name="source"/> (a rectangle of the bitmap) into a height×width image, optionally mirrored, as RGB CHW bytes.</summary>
    public static byte[] Render(SKBitmap bitmap, SKRect source, int height, int width, bool flip)
    {
        using var output = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        using (var canvas = new SKCanvas(output))
        using (var image = SKImage.FromBitmap(bitmap))
        {
            if (flip)
            {
                canvas.Translate(width, 0);
                canvas.Scale(-1, 1);
            }
            canvas.DrawImage(image, source, SKRect.Create(width, height), new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None));
        }
        return ToChw(output);
    }

    /// <summary>The RGB channels of an RGBA8888 bitmap, planar (CHW).</summary>
    public static byte[] ToChw(SKBitmap bitmap)
    {
        if (bitmap.ColorType != SKColorType.Rgba8888)
            throw new ArgumentException($"expected an Rgba8888 bitmap, got {bitmap.ColorType}.", nameof(bitmap));
        int plane = bitmap.Width * bitmap.Height;
        var rgba = bitmap.GetPixelSpan();
        var chw = new byte[3 * plane];
        for (int i = 0; i < plane; i++)
        {
            chw[i] = rgba[4 * i];
            chw[plane + i] = rgba[4 * i + 1];
            chw[2 * plane + i] = rgba[4 * i + 2];
        }
        return chw;
    }

    /// <summary>An opaque RGBA bitmap from a uint8 [C,H,W] tensor (C = 1 or 3).</summary>
    public static SKBitmap FromChw(Tensor image)
    {
        int h = (int)image.shape[1], w = (int)image.shape[2];
        using var hwc = image.expand(3, h, w).permute(1, 2, 0).contiguous();
        var rgb = hwc.data<byte>().ToArray();
        var bitmap = new SKBitmap(new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var rgba = bitmap.GetPixelSpan();
        for (int i = 0; i < w * h; i++)
        {
            rgba[4 * i] = rgb[3 * i];
            rgba[4 * i + 1] = rgb[3 * i + 1];
            rgba[4 * i + 2] = rgb[3 * i + 2];
            rgba[4 * i + 3] = 255;
        }
        return bitmap;
    }
}
