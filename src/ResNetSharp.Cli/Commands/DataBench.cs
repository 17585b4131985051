using System.CommandLine;
using ResNetSharp.Benchmarks;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data;
using ResNetSharp.Data.Loading;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet bench --mode data --data SPEC [--split train|val] [--batch-size 32] [--image-size 224] [--augment ...]
/// [--workers N] [--prefetch N] [--decode fast|exact] [--device cpu|cuda] [--epochs 3] [--json]</c>: the data loader
/// alone (<see cref="LoaderBenchmark"/>).
/// </summary>
internal sealed class DataBench
{
    public const int DefaultBatchSize = 32;

    private readonly Option<string> _data = new("--data") { Description = $"--mode data: the dataset ({DataSpec.Forms}).", DefaultValueFactory = _ => DataSpec.Default };
    private readonly Option<string> _split = new("--split") { Description = "--mode data: train or val.", DefaultValueFactory = _ => "train" };
    private readonly Option<string> _augment = new("--augment") { Description = "--mode data: training augmentation (as for train).", DefaultValueFactory = _ => "standard" };
    private readonly Option<int> _epochs = new("--epochs") { Description = "--mode data: timed epochs after one warm-up epoch.", DefaultValueFactory = _ => 3 };
    private readonly SettingOptions<LoaderSettings> _loader;

    public DataBench(Command command)
    {
        _split.AcceptOnlyFromAmong("train", "val");
        foreach (var option in new Option[] { _data, _split, _augment, _epochs }) command.Options.Add(option);
        _loader = new SettingOptions<LoaderSettings>().AddTo(command);
    }

    public int Run(ParseResult result, int batchSize, int? imageSize, string device, bool json)
    {
        var r = LoaderBenchmark.Run(result.GetValue(_data)!, result.GetValue(_split) == "val" ? Split.Val : Split.Train, batchSize, imageSize,
            Augmentation.Parse(result.GetValue(_augment)!), _loader.Read(result).Validate(), device, result.GetValue(_epochs));
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
