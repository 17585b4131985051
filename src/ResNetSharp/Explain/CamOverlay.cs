using ResNetSharp.Data.Transforms;
using TorchSharp;
using ResNetSharp.IO;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Explain;

/// <summary>
/// A class activation map drawn over the image the model saw: each pixel is <c>(1 − alpha) · image + alpha · colour(map)</c>
/// with a perceptually uniform colour map (viridis: dark blue for 0, yellow for 1).
/// </summary>
public static class CamOverlay
{
    private static readonly ScottPlot.Colormaps.Viridis Colors = new();

    /// <summary>
    /// The overlay as an RGBA bitmap: <paramref name="image"/> is a preprocessed float [C, H, W] image (normalised with
    /// <paramref name="mean"/> and <paramref name="std"/>, which are undone), <paramref name="map"/> its H×W map in [0, 1].
    /// </summary>
    public static SKBitmap Render(Tensor image, float[][] map, float[] mean, float[] std, double alpha = 0.5)
    {
        CheckAlpha(alpha);
        int h = (int)image.shape[1], w = (int)image.shape[2];
        if (map.Length != h || map[0].Length != w)
            throw new ArgumentException($"the map is {map.Length}x{map[0].Length} but the image {h}x{w}.", nameof(map));
        using var scope = NewDisposeScope();
        var pixels = ToBytes(image.cpu(), mean, std);
        var bitmap = ImageTransforms.FromChw(pixels);
        var rgba = bitmap.GetPixelSpan();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                var c = Colors.GetColor(map[y][x]);
                int i = 4 * (y * w + x);
                rgba[i] = Blend(rgba[i], c.R, alpha);
                rgba[i + 1] = Blend(rgba[i + 1], c.G, alpha);
                rgba[i + 2] = Blend(rgba[i + 2], c.B, alpha);
            }
        return bitmap;
    }

    /// <summary>Throws a clear error unless the colour map's opacity is in [0, 1].</summary>
    public static void CheckAlpha(double alpha)
    {
        if (alpha is < 0 or > 1 || double.IsNaN(alpha)) throw new ResNetSharpException($"ExplainOptions.Alpha must be in [0, 1], not {alpha}.");
    }

    /// <summary>Renders the overlay and writes it as a PNG, whole or not at all.</summary>
    public static void Save(string path, Tensor image, float[][] map, float[] mean, float[] std, double alpha = 0.5)
    {
        using var bitmap = Render(image, map, mean, std, alpha);
        AtomicFile.Write(path, stream => bitmap.Encode(stream, SKEncodedImageFormat.Png, 100));
    }

    /// <summary>The overlay as PNG bytes (for inline images).</summary>
    public static byte[] Png(Tensor image, float[][] map, float[] mean, float[] std, double alpha = 0.5)
    {
        using var bitmap = Render(image, map, mean, std, alpha);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Undoes the normalisation <c>(x / 255 − mean) / std</c>: uint8 [C, H, W].</summary>
    private static Tensor ToBytes(Tensor image, float[] mean, float[] std)
    {
        var m = tensor(mean).view(-1, 1, 1);
        var s = tensor(std).view(-1, 1, 1);
        return (image.to(float32) * s + m).mul(255).round().clamp(0, 255).to(ScalarType.Byte);
    }

    private static byte Blend(byte pixel, byte colour, double alpha) => (byte)Math.Round((1 - alpha) * pixel + alpha * colour);
}
