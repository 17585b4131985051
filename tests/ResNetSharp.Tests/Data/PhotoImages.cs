using SkiaSharp;

namespace ResNetSharp.Tests.Data;

/// <summary>Photo-like JPEGs for decoder tests: smooth gradients, a texture and noise (what scaled decoding must keep).</summary>
internal static class PhotoImages
{
    /// <summary>Writes a width×height photo-like JPEG (quality 90) drawn from <paramref name="seed"/>, with an optional white square marker.</summary>
    public static void Write(string path, int width, int height, int seed, SKRectI? marker = null)
    {
        var rng = new Random(seed);
        double a = rng.NextDouble() * 6, b = rng.NextDouble() * 6, f = 0.02 + rng.NextDouble() * 0.1, tint = rng.NextDouble();
        TestImages.Write(path, width, height, (x, y) =>
        {
            if (marker is { } m && m.Contains(x, y)) return SKColors.White;
            double u = (double)x / width, v = (double)y / height, noise = rng.NextDouble() * 12 - 6;
            double texture = 20 * Math.Sin(f * x) * Math.Cos(f * y);
            return new SKColor(Byte(100 + 60 * Math.Sin(a * u + b * v) + texture + noise), Byte(80 + 120 * tint * v + texture + noise),
                Byte(140 + 50 * Math.Cos(b * u - a * v) + noise));
        });
    }

    private static byte Byte(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);
}
