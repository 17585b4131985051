using System.Text.Json.Serialization;
using ResNetSharp.Data.Images;
using ResNetSharp.Settings;

namespace ResNetSharp.Data.Loading;

/// <summary>What a loader does with an image it cannot decode (corrupt, truncated, not an image).</summary>
public enum BadImagePolicy
{
    /// <summary>Stop with an error naming the file (the default).</summary>
    Error,

    /// <summary>Leave the image out, warn once per file and count it (<see cref="IDataLoader.BadImages"/>).</summary>
    Skip,
}

/// <summary>
/// How streaming loaders (folders of images, tar shards) decode: <see cref="Workers"/> threads each build whole
/// batches (default: the cores), up to <see cref="Prefetch"/> finished batches wait for the consumer (default: twice the
/// workers); <see cref="Decode"/> null means <see cref="DecodeMode.Fast"/> for training and
/// <see cref="DecodeMode.Exact"/> for validation.
/// </summary>
public sealed record LoaderSettings
{
    /// <summary>The defaults.</summary>
    public static LoaderSettings Default { get; } = new();

    /// <summary>Decoding threads; null: <see cref="Environment.ProcessorCount"/>.</summary>
    [Setting("workers", "Image-decoding threads for folder data (default: the cores).")]
    public int? Workers { get; init; }

    /// <summary>Finished batches queued ahead of the consumer; null: twice the workers.</summary>
    [Setting("prefetch", "Decoded batches queued ahead of the model (default: twice the workers).")]
    public int? Prefetch { get; init; }

    /// <summary>The decode mode of both splits; null: fast for training, exact for validation.</summary>
    [Setting("decode", "fast (reduced-scale JPEG decoding of the crop only) or exact (full decode); default fast for training, exact for validation.")]
    public DecodeMode? Decode { get; init; }

    /// <summary>What to do with an undecodable image.</summary>
    [Setting("on-bad-image", "error (stop, naming the file) or skip (leave it out, warn once, count it in metrics).")]
    public BadImagePolicy OnBadImage { get; init; } = BadImagePolicy.Error;

    /// <summary>Receives the one-line warning about each skipped file; null: standard error.</summary>
    [JsonIgnore]
    public Action<string>? Warn { get; init; }

    /// <summary>The worker count in effect.</summary>
    [JsonIgnore]
    public int WorkerCount => Workers ?? Environment.ProcessorCount;

    /// <summary>The prefetch depth in effect.</summary>
    [JsonIgnore]
    public int PrefetchDepth => Prefetch ?? 2 * WorkerCount;

    /// <summary>The decode mode of <paramref name="split"/>.</summary>
    public DecodeMode DecodeFor(Split split) => Decode ?? (split == Split.Train ? DecodeMode.Fast : DecodeMode.Exact);

    /// <summary>Fails with a clear error on a worker count or prefetch depth below 1.</summary>
    public LoaderSettings Validate()
    {
        if (WorkerCount < 1) throw new ResNetSharpException($"LoaderSettings.Workers must be at least 1, not {WorkerCount}.");
        if (PrefetchDepth < 1) throw new ResNetSharpException($"LoaderSettings.Prefetch must be at least 1, not {PrefetchDepth}.");
        return this;
    }

    /// <summary>Parses "fast" or "exact".</summary>
    public static DecodeMode ParseDecode(string text) => Enum.TryParse<DecodeMode>(text, ignoreCase: true, out var mode) && !int.TryParse(text, out _)
        ? mode : throw new ResNetSharpException($"unknown decode mode '{text}'; use 'fast' (scaled JPEG decoding) or 'exact' (full decode).");

    /// <summary>Parses "error" or "skip".</summary>
    public static BadImagePolicy ParseBadImage(string text) => Enum.TryParse<BadImagePolicy>(text, ignoreCase: true, out var p) && !int.TryParse(text, out _)
        ? p : throw new ResNetSharpException($"unknown LoaderSettings.OnBadImage '{text}'; use 'error' (stop, naming the file) or 'skip' (leave it out with a warning).");
}
