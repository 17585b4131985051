using SkiaSharp;

namespace ResNetSharp.Tests.Data;

/// <summary>Writes real image files with SkiaSharp.</summary>
internal static class TestImages
{
    /// <summary>Writes a width×height image whose pixel (x, y) is <paramref name="color"/>(x, y); the format follows the extension.</summary>
    public static void Write(string path, int width, int height, Func<int, int, SKColor> color)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        var rgba = bitmap.GetPixelSpan();
        for (int y = 0, i = 0; y < height; y++)
            for (int x = 0; x < width; x++, i += 4)
            {
                var c = color(x, y);
                (rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]) = (c.Red, c.Green, c.Blue, c.Alpha);
            }
        var format = Path.GetExtension(path) == ".png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg;
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, 95);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    /// <summary>A distinct exact colour per pixel: (x·10, y·10, 200).</summary>
    public static SKColor Gradient(int x, int y) => new((byte)(x * 10), (byte)(y * 10), 200);
}
