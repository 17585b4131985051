using System.CommandLine;
using ResNetSharp.Benchmarks;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet bench --mode data --data SPEC [--split train|val] [--batch-size 32] [--image-size 224] [--augment ...]
/// [--workers N] [--prefetch N] [--decode fast|exact] [--device cpu|cuda] [--epochs 3] [--json]</c>: the data loader
/// alone (<see cref="LoaderBenchmark"/>).
/// </summary>
internal static class DataBench
{
    public static int Run(ParseResult result, LoaderBenchOptions options, bool json)
    {
        var r = LoaderBenchmark.Run(options);
        if (json)
        {
            CliJson.Write(result, r);
            return 0;
        }
        result.InvocationConfiguration.Output.WriteLine(
            $"{r.Data} {r.Split} B={r.BatchSize} {r.ImageSize}x{r.ImageSize} augment {r.Augment}, decode {r.Decode}, {r.Workers} workers, prefetch {r.Prefetch}, on {r.Device}: " +
            $"{r.DataImagesPerSec:N0} images/s, {r.CpuSecondsPerImage * 1000:F2} ms CPU and {r.ManagedBytesPerImage:N0} managed bytes per image, JPEG decoder {r.JpegDecoder} ({r.Images} images in {r.Seconds:F1} s)");
        return 0;
    }
}
