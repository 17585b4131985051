using ResNetSharp.Data;
using ResNetSharp.Data.Loading;
using ResNetSharp.Settings;

namespace ResNetSharp.Benchmarks;

/// <summary>
/// What <see cref="LoaderBenchmark"/> times (the flags of <c>resnet bench --mode data</c>; its batch size, image size and
/// device come from <see cref="BenchOptions"/>' flags).
/// </summary>
public sealed record LoaderBenchOptions
{
    /// <summary>The batch size of <c>--mode data</c> when <c>--batch-size</c> is not given.</summary>
    public const int DefaultBatchSize = 32;

    /// <summary>A <c>--data</c> spec (<see cref="DataSpec"/>).</summary>
    [Setting("data", "--mode data: the dataset (" + DataSpec.Forms + ").")]
    public string Data { get; init; } = DataSpec.Default;

    /// <summary>The split to load.</summary>
    [Setting("split", "--mode data: train or val.")]
    public Split Split { get; init; } = Split.Train;

    /// <summary>The training augmentation (<see cref="Augmentation.Parse"/>; its cost is part of the figure, none on the validation split).</summary>
    [Setting("augment", "--mode data: training augmentation (as for train).")]
    public string Augment { get; init; } = "standard";

    /// <summary>Timed epochs after one warm-up epoch, at least 1.</summary>
    [Setting("epochs", "--mode data: timed epochs after one warm-up epoch.")]
    public int Epochs { get; init; } = 3;

    /// <summary>Loader workers, prefetch depth, decode mode and bad-image policy.</summary>
    [SettingsGroup]
    public LoaderSettings Loader { get; init; } = LoaderSettings.Default;

    /// <summary>Images per batch.</summary>
    public int BatchSize { get; init; } = DefaultBatchSize;

    /// <summary>Input side for folder data; null: the dataset's default.</summary>
    public int? ImageSize { get; init; }

    /// <summary>Where batches are made: auto, cpu, cuda or cuda:N.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>Seed of the data order and augmentation.</summary>
    public int Seed { get; init; }

    /// <summary>Throws a <see cref="ResNetSharpException"/> naming the first bad setting.</summary>
    public LoaderBenchOptions Validate()
    {
        if (Epochs < 1) throw new ResNetSharpException($"LoaderBenchOptions.Epochs must be at least 1, not {Epochs}.");
        if (BatchSize < 1) throw new ResNetSharpException($"BenchOptions.BatchSize must be at least 1, got {BatchSize}.");
        Loader.Validate();
        return this;
    }
}
