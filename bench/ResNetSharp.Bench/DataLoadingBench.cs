using System.Diagnostics;
using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Sources;
using ResNetSharp.Data.Transforms;
using SkiaSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Bench;

/// <summary>
/// Data-loading throughput: synthetic generation, the in-memory loader (CIFAR-style batch augmentation on the CPU
/// device), and ImageNet-style JPEG decode + random-resized crop to 224 on one thread and through the streaming loader
/// on all cores. Options: --images N (JPEGs to generate, default 200), --epochs N (streaming passes, default 2).
/// </summary>
internal static class DataLoadingBench
{
    public static void Run(string[] args)
    {
        int images = Option(args, "--images", 200), epochs = Option(args, "--epochs", 2);
        Console.WriteLine($"cores: {Environment.ProcessorCount}");
        Synthetic();
        InMemoryLoader();
        string dir = Directory.CreateTempSubdirectory("resnetsharp-bench-").FullName;
        try
        {
            var files = WriteJpegs(Path.Combine(dir, "train", "c0"), images);
            Directory.CreateDirectory(Path.Combine(dir, "val", "c0"));
            File.Copy(files[0], Path.Combine(dir, "val", "c0", "0.jpg"));
            SingleThread(files);
            Streaming(dir, epochs);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void Synthetic()
    {
        var watch = Measure.Start();
        using var train = SyntheticShapes.Generate(SyntheticShapes.TrainCount, 0, Split.Train);
        using var val = SyntheticShapes.Generate(SyntheticShapes.ValCount, 0, Split.Val);
        watch.Report("synthetic: generate 10,000 + 2,000 32x32 images", train.Count + val.Count);
    }

    private static void InMemoryLoader()
    {
        using var source = SyntheticShapes.Open();
        using var loader = source.CreateLoader(Split.Train, 128, CPU, 0, Augmentation.Parse("crop,flip,cutout"));
        loader.Epoch(0).ToList().ForEach(b => b.Dispose());   // warm-up
        var watch = Measure.Start();
        long n = 0;
        foreach (var batch in loader.Epoch(1))
            using (batch) n += batch.Size;
        watch.Report("in-memory loader, batch 128, crop+flip+cutout+normalise (CPU device)", n);
    }

    private static void SingleThread(IReadOnlyList<string> files)
    {
        var rng = new Random(0);
        var watch = Measure.Start();
        foreach (var file in files)
        {
            using var bitmap = ImageFiles.Decode(file);
            ImageTransforms.Render(bitmap, ImageTransforms.RandomResizedCropRect(bitmap.Width, bitmap.Height, rng), 224, 224, flip: false);
        }
        watch.Report("JPEG 300-500 px decode + random-resized crop to 224, 1 thread", files.Count);
    }

    private static void Streaming(string dir, int epochs)
    {
        using var source = DataSpec.Open($"folder:{dir}");
        using var loader = source.CreateLoader(Split.Train, 32, CPU, 0, Augmentation.Standard);
        var watch = Measure.Start();
        long n = 0;
        for (int epoch = 0; epoch < epochs; epoch++)
            foreach (var batch in loader.Epoch(epoch))
                using (batch) n += batch.Size;
        watch.Report($"streaming loader (JPEG -> 224 batches of 32, flip + normalise), {Environment.ProcessorCount} workers", n);
    }

    /// <summary>Photo-like JPEGs (gradient background, soft shapes) of random sizes 300-500 px, quality 90.</summary>
    private static List<string> WriteJpegs(string folder, int count)
    {
        Directory.CreateDirectory(folder);
        var rng = new Random(1);
        var files = new List<string>();
        for (int i = 0; i < count; i++)
        {
            int w = rng.Next(300, 501), h = rng.Next(300, 501);
            using var surface = SKSurface.Create(new SKImageInfo(w, h));
            var canvas = surface.Canvas;
            using (var shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(w, h), [Color(rng), Color(rng)], SKShaderTileMode.Clamp))
            using (var paint = new SKPaint { Shader = shader })
                canvas.DrawRect(0, 0, w, h, paint);
            using (var paint = new SKPaint { IsAntialias = true })
                for (int k = 0; k < 20; k++)
                {
                    paint.Color = Color(rng);
                    canvas.DrawCircle(rng.Next(w), rng.Next(h), rng.Next(10, 80), paint);
                }
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Jpeg, 90);
            string path = Path.Combine(folder, $"{i:D4}.jpg");
            using (var file = File.Create(path)) data.SaveTo(file);
            files.Add(path);
        }
        return files;
    }

    private static SKColor Color(Random rng) => new((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));

    /// <summary>Wall time and this process's CPU time: on a shared machine images per CPU-second is the per-core rate.</summary>
    private sealed class Measure
    {
        private readonly Stopwatch _wall = Stopwatch.StartNew();
        private readonly TimeSpan _cpu = Process.GetCurrentProcess().TotalProcessorTime;

        public static Measure Start() => new();

        public void Report(string what, long items)
        {
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - _cpu).TotalSeconds;
            Console.WriteLine($"{what}: {items} in {_wall.Elapsed.TotalMilliseconds:F0} ms wall = {items / _wall.Elapsed.TotalSeconds:F0} images/s; " +
                $"{cpu * 1000:F0} ms CPU = {items / cpu:F0} images per CPU-second");
        }
    }

    internal static int Option(string[] args, string name, int fallback)
    {
        int i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], out int v) && v > 0 ? v : fallback;
    }
}
