using System.Diagnostics;
using ResNetSharp.Data;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Loading;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Benchmarks;

/// <summary>
/// One run of <see cref="LoaderBenchmark"/>: images/s of the loader alone, this process's CPU time per image, the
/// managed bytes allocated per image (all threads) and the JPEG decoder in use ("turbojpeg" or "skia").
/// </summary>
public sealed record LoaderBenchResult
{
    /// <summary>The data spec benchmarked.</summary>
    public required string Data { get; init; }

    /// <summary>The split ("train" or "val").</summary>
    public required string Split { get; init; }

    /// <summary>Images per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>The side of the images the loader makes.</summary>
    public required int ImageSize { get; init; }

    /// <summary>The augmentation applied (none on the validation split).</summary>
    public required string Augment { get; init; }

    /// <summary>The split's decoding mode.</summary>
    public required string Decode { get; init; }

    /// <summary>Decoding worker threads.</summary>
    public required int Workers { get; init; }

    /// <summary>Batches prepared ahead.</summary>
    public required int Prefetch { get; init; }

    /// <summary>The device the batches are made on.</summary>
    public required string Device { get; init; }

    /// <summary>Timed epochs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Images loaded in the timed epochs.</summary>
    public required long Images { get; init; }

    /// <summary>Wall seconds of the timed epochs.</summary>
    public required double Seconds { get; init; }

    /// <summary>Images per second of the loader alone.</summary>
    public required double DataImagesPerSec { get; init; }

    /// <summary>This process's CPU seconds per image (all threads).</summary>
    public required double CpuSecondsPerImage { get; init; }

    /// <summary>Managed bytes allocated per image (all threads).</summary>
    public required double ManagedBytesPerImage { get; init; }

    /// <summary>The JPEG decoder in use: "turbojpeg" or "skia".</summary>
    public required string JpegDecoder { get; init; }

    /// <summary>Undecodable images skipped.</summary>
    public required long BadImages { get; init; }
}

/// <summary>
/// Times a data loader alone (<c>resnet bench --mode data</c>): one untimed warm-up epoch, then <c>epochs</c> timed
/// epochs whose batches are made on the device and disposed. CPU-seconds per image count every thread of this
/// process (decoding workers and the device-side transforms), the figure to compare on a shared machine.
/// </summary>
public static class LoaderBenchmark
{
    /// <summary>Opens the dataset and times its loader over <see cref="LoaderBenchOptions.Epochs"/> epochs after one warm-up epoch.</summary>
    /// <returns>Images per second, CPU-seconds and managed bytes per image, the JPEG decoder, bad images.</returns>
    /// <exception cref="ResNetSharpException">A bad setting or dataset (one message naming it).</exception>
    public static LoaderBenchResult Run(LoaderBenchOptions options)
    {
        var (split, batchSize, settings, epochs) = (options.Split, options.BatchSize, options.Validate().Loader, options.Epochs);
        var augment = Augmentation.Parse(options.Augment);
        if (split != Split.Train) augment = Augmentation.None;
        var dev = Devices.Resolve(options.Device);
        using var source = DataSpec.Open(options.Data, imageSize: options.ImageSize, loader: settings);
        using var loader = source.CreateLoader(split, batchSize, dev, options.Seed, augment);
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
        return new LoaderBenchResult
        {
            Data = options.Data, Split = split.ToString().ToLowerInvariant(), BatchSize = batchSize, ImageSize = source.InputSize.Height,
            Augment = augment.ToString(), Decode = settings.DecodeFor(split).ToString().ToLowerInvariant(),
            Workers = settings.WorkerCount, Prefetch = settings.PrefetchDepth, Device = dev.ToString(), Epochs = epochs,
            Images = images, Seconds = seconds, DataImagesPerSec = images / seconds,
            CpuSecondsPerImage = cpuSeconds / Math.Max(images, 1), ManagedBytesPerImage = bytes / Math.Max(images, 1),
            JpegDecoder = TurboJpeg.IsAvailable ? "turbojpeg" : "skia", BadImages = loader.BadImages,
        };
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
