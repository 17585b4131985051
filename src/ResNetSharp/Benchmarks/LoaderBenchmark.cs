using System.Diagnostics;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;

namespace ResNetSharp.Benchmarks;

/// <summary>
/// One run of <see cref="LoaderBenchmark"/>: images/s of the loader alone, this process's CPU time per image, the
/// managed bytes allocated per image (all threads) and the JPEG decoder in use ("turbojpeg" or "skia").
/// </summary>
public sealed record LoaderBenchResult(string Data, string Split, int BatchSize, int ImageSize, string Augment, string Decode,
    int Workers, int Prefetch, string Device, int Epochs, long Images, double Seconds, double DataImagesPerSec,
    double CpuSecondsPerImage, double ManagedBytesPerImage, string JpegDecoder, long BadImages);

/// <summary>
/// Times a data loader alone (<c>resnet bench --mode data</c>): one untimed warm-up epoch, then <c>epochs</c> timed
/// epochs whose batches are made on the device and disposed. CPU-seconds per image count every thread of this
/// process (decoding workers and the device-side transforms), the figure to compare on a shared machine.
/// </summary>
public static class LoaderBenchmark
{
    public static LoaderBenchResult Run(string spec, Split split, int batchSize, int? imageSize, Augmentation augment,
        LoaderSettings settings, string device = "auto", int epochs = 3, int seed = 0)
    {
        if (epochs < 1) throw new ResNetSharpException($"--epochs must be at least 1, not {epochs}.");
        var dev = Devices.Resolve(device);
        using var source = DataSpec.Open(spec, imageSize: imageSize, loader: settings);
        using var loader = source.CreateLoader(split, batchSize, dev, seed, split == Split.Train ? augment : Augmentation.None);
        Drain(loader, 0, dev);
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        long allocated = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        long images = 0;
        for (int epoch = 1; epoch <= epochs; epoch++) images += Drain(loader, epoch, dev);
        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpuSeconds = (process.TotalProcessorTime - cpu).TotalSeconds;
        double bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
        return new LoaderBenchResult(spec, split.ToString().ToLowerInvariant(), batchSize, source.InputSize.Height,
            (split == Split.Train ? augment : Augmentation.None).ToString(), settings.DecodeFor(split).ToString().ToLowerInvariant(),
            settings.WorkerCount, settings.PrefetchDepth, dev.ToString(), epochs, images, seconds, images / seconds,
            cpuSeconds / Math.Max(images, 1), bytes / Math.Max(images, 1), TurboJpeg.IsAvailable ? "turbojpeg" : "skia", loader.BadImages);
    }

    private static long Drain(IDataLoader loader, int epoch, Device device)
    {
        long n = 0;
        foreach (var batch in loader.Epoch(epoch))
            using (batch) n += batch.Size;
        if (device.type == DeviceType.CUDA) cuda.synchronize();
        return n;
    }
}
