using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;
using ResNetSharp.Training;
using SkiaSharp;

namespace ResNetSharp.Tests.Data;

public class FastDecodeAccuracyTests
{
    /// <summary>
    /// A 192x144 photo-like JPEG of class c: a smooth gradient, noise, and stripes of period 24 px, horizontal (0),
    /// vertical (1) or diagonal (2), which a 32x32 crop still shows after the 1/4-scale decode fast mode uses.
    /// </summary>
    private static void Photo(string path, int c, int seed)
    {
        var rng = new Random(seed);
        double phase = rng.NextDouble() * 24, tint = rng.NextDouble();
        TestImages.Write(path, 192, 144, (x, y) =>
        {
            double t = c switch { 0 => y, 1 => x, _ => (x + y) / Math.Sqrt(2) };
            double stripe = 45 * Math.Sin(2 * Math.PI * (t + phase) / 24), noise = rng.NextDouble() * 16 - 8;
            double g = 90 + 60 * tint * x / 192 + 40 * y / 144;
            return new SKColor(B(g + stripe + noise), B(g * 0.9 + stripe + noise), B(120 + 50 * tint + stripe + noise));
        });
    }

    private static byte B(double v) => (byte)Math.Clamp(Math.Round(v), 0, 255);

    [Fact]
    public void AShortFineTuneReachesTheSameTop1WithFastAndExactDecoding()
    {
        using var dir = new TempDir();
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 18; i++)
                Photo(dir.Combine(i < 12 ? "train" : "val", $"c{c}", $"{i}.jpg"), c, 100 * c + i);
        double Top1(DecodeMode mode)
        {
            using var run = new TempDir();
            var options = new TrainOptions
            {
                Model = "small_resnet", Data = $"folder:{dir.Path}", ImageSize = 32, Epochs = 3, BatchSize = 8, Lr = 0.05, Device = "cpu",
                Seed = 1, OutDir = run.Path, Augment = "standard", Loader = new LoaderSettings { Decode = mode },
            };
            return new Trainer(options).Run().BestValTop1;
        }
        double fast = Top1(DecodeMode.Fast), exact = Top1(DecodeMode.Exact);
        Assert.True(exact >= 0.75, $"exact decoding learns the stripes: top-1 {exact:P0}");
        Assert.True(Math.Abs(fast - exact) <= 0.17, $"fast {fast:P0} vs exact {exact:P0}: within 3 of the 18 validation images");
    }
}
