using SkiaSharp;

namespace FineTuneFolder;

/// <summary>
/// Writes a tiny image folder in the ImageFolder layout <c>DIR/{train,val}/CLASS/*.png</c>: 32x32 noisy images whose
/// class is their dominant colour. Your own data goes in the same layout, at any image size.
/// </summary>
internal static class ImageFolderMaker
{
    /// <summary>The pretraining task's classes: six colours.</summary>
    public static readonly (string Name, SKColor Color)[] Pretraining =
        [("yellow", new(200, 200, 40)), ("cyan", new(40, 200, 200)), ("magenta", new(200, 40, 200)), ("grey", new(120, 120, 120)), ("white", new(220, 220, 220)), ("black", new(30, 30, 30))];

    /// <summary>The new task's classes: three other colours.</summary>
    public static readonly (string Name, SKColor Color)[] NewTask = [("red", new(200, 40, 40)), ("green", new(40, 200, 40)), ("blue", new(40, 40, 200))];

    /// <summary>Writes <paramref name="perClass"/> training and <paramref name="perClass"/>/2 validation images of each class.</summary>
    public static void Write(string dir, (string Name, SKColor Color)[] classes, int perClass, int side, int seed)
    {
        var random = new Random(seed);
        foreach (var (split, count) in new[] { ("train", perClass), ("val", perClass / 2) })
            foreach (var (name, color) in classes)
            {
                string folder = Directory.CreateDirectory(Path.Combine(dir, split, name)).FullName;
                for (int i = 0; i < count; i++) WriteImage(Path.Combine(folder, $"{i:D3}.png"), color, side, random);
            }
    }

    private static void WriteImage(string path, SKColor color, int side, Random random)
    {
        using var bitmap = new SKBitmap(side, side, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        for (int y = 0; y < side; y++)
            for (int x = 0; x < side; x++)
                bitmap.SetPixel(x, y, new SKColor(Noisy(color.Red, random), Noisy(color.Green, random), Noisy(color.Blue, random)));
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        using var file = File.Create(path);
        data.SaveTo(file);
    }

    private static byte Noisy(byte value, Random random) => (byte)Math.Clamp(value + random.Next(-60, 61), 0, 255);
}
