using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Sources;
using ResNetSharp.Data.Transforms;

namespace ResNetSharp.Data;

/// <summary>
/// Opens a dataset from a <c>--data</c> spec: <c>synthetic</c> (the default), <c>cifar10:DIR</c>,
/// <c>cifar100:DIR</c> (fine labels), <c>cifar100-coarse:DIR</c> (the 20 superclasses), <c>folder:DIR</c>
/// (ImageFolder layout DIR/train/CLASS/*, DIR/val/CLASS/*), <c>wds:DIR</c> (WebDataset tar shards DIR/train-*.tar,
/// DIR/val-*.tar and DIR/classes.txt), or torchvision's small real datasets by name: <c>mnist</c>, <c>fashion-mnist</c>,
/// <c>kmnist</c>, <c>emnist-SPLIT</c> (<see cref="Mnist"/>), <c>stl10</c> (<see cref="Stl10"/>), <c>svhn</c>
/// (<see cref="Svhn"/>), <c>imagenette[-160|-320]</c>, <c>imagewoof[-160|-320]</c> (<see cref="Imagenette"/>), each
/// with an optional <c>:DIR</c> (default: its <see cref="DatasetCache"/> folder).
/// </summary>
public static class DataSpec
{
    /// <summary>The default spec.</summary>
    public const string Default = "synthetic";

    /// <summary>The accepted forms, for help texts.</summary>
    public const string Forms = "synthetic, cifar10:DIR, cifar100:DIR, cifar100-coarse:DIR, folder:DIR, wds:DIR, " +
        "mnist[:DIR], fashion-mnist[:DIR], kmnist[:DIR], emnist-SPLIT[:DIR], stl10[:DIR], svhn[:DIR], " +
        "imagenette[-160|-320][:DIR], imagewoof[-160|-320][:DIR]";

    /// <summary>
    /// Opens the dataset named by <paramref name="spec"/>. With <paramref name="download"/>, missing CIFAR files are
    /// downloaded into DIR first. <paramref name="imageSize"/> sets the input side of folder data (default: small images
    /// at their own size, others at 224); the fixed-size datasets (synthetic, CIFAR: 32x32) accept only their own.
    /// Large folder images are resized for validation to the input side / <paramref name="cropFraction"/> (224 → 256
    /// by default; 224/232 for torchvision's V2 weights) before the centre crop. <paramref name="loader"/> sets the
    /// workers, prefetch depth, decode mode and bad-image policy of the streaming loaders (folders of large images).
    /// </summary>
    public static DataSource Open(string? spec = Default, bool download = false, int? imageSize = null, float cropFraction = ImageTransforms.CenterCropFraction,
        LoaderSettings? loader = null)
    {
        (spec, string kind, string? dir) = Parse(spec);
        if (imageSize is { } side && FixedSide(kind) is { } own && side != own)
            throw new ResNetSharpException($"'{spec}' has {own}x{own} images, not {side}x{side}: only folder:DIR data can be resized; leave the image size out.");
        return kind switch
        {
            "synthetic" when dir is null => SyntheticShapes.Open(),
            "cifar10" => Cifar.Open(Cifar.Cifar10, Dir(spec, dir), download),
            "cifar100" => Cifar.Open(Cifar.Cifar100, Dir(spec, dir), download),
            "cifar100-coarse" => Cifar.Open(Cifar.Cifar100Coarse, Dir(spec, dir), download),
            "folder" => ImageFolder.Open(Dir(spec, dir), imageSize, cropFraction, loader),
            "wds" => WebDataset.Open(Dir(spec, dir), imageSize, cropFraction, loader),
            "mnist" => Mnist.Open(Mnist.MnistDigits, Optional(dir), download),
            "fashion-mnist" => Mnist.Open(Mnist.FashionMnist, Optional(dir), download),
            "kmnist" => Mnist.Open(Mnist.Kmnist, Optional(dir), download),
            _ when kind.StartsWith("emnist-", StringComparison.Ordinal) => Mnist.Open(Mnist.Emnist(kind["emnist-".Length..]), Optional(dir), download),
            "stl10" => Stl10.Open(Optional(dir), download),
            "svhn" => Svhn.Open(Optional(dir), download),
            _ when Imagenette.Folder(kind) is not null => Imagenette.Open(kind, Optional(dir), download, imageSize, cropFraction, loader),
            _ => throw new ResNetSharpException($"unknown data spec '{spec}'; use one of: {Forms}."),
        };
    }

    /// <summary>Whether the spec names folder data, whose image size can be chosen (<c>imageSize</c> of <see cref="Open"/>).</summary>
    public static bool Resizable(string? spec) => Parse(spec).Kind is "folder" or "wds";

    /// <summary>The trimmed spec (the default when empty), its lower-case kind and its folder after the colon, if any.</summary>
    internal static (string Spec, string Kind, string? Dir) Parse(string? spec)
    {
        spec = string.IsNullOrWhiteSpace(spec) ? Default : spec.Trim();
        int colon = spec.IndexOf(':');
        return (spec, (colon < 0 ? spec : spec[..colon]).ToLowerInvariant(), colon < 0 ? null : spec[(colon + 1)..]);
    }

    /// <summary>The image side of the fixed-size datasets; null for folder data (and unknown kinds).</summary>
    private static int? FixedSide(string kind) => kind switch
    {
        "synthetic" => SyntheticShapes.Size,
        "cifar10" or "cifar100" or "cifar100-coarse" => Cifar.Size,
        "mnist" or "fashion-mnist" or "kmnist" => Mnist.Size,
        _ when kind.StartsWith("emnist-", StringComparison.Ordinal) => Mnist.Size,
        "stl10" => Stl10.Size,
        "svhn" => Svhn.Size,
        _ => null,
    };

    private static string Dir(string spec, string? dir) => string.IsNullOrWhiteSpace(dir)
        ? throw new ResNetSharpException($"data spec '{spec}' needs a folder, e.g. '{spec.TrimEnd(':')}:data/cifar'.")
        : dir;

    /// <summary>The folder of a dataset that may be named without one (null: its cache folder).</summary>
    private static string? Optional(string? dir) => string.IsNullOrWhiteSpace(dir) ? null : dir;

    internal static void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1)
            throw new ResNetSharpException($"batch size must be at least 1, not {batchSize}.");
    }

    /// <summary>Batches per epoch: training drops an incomplete last batch unless it is the only one.</summary>
    internal static int BatchCount(long count, int batchSize, bool dropLast) =>
        (int)(dropLast && count >= batchSize ? count / batchSize : (count + batchSize - 1) / batchSize);
}
