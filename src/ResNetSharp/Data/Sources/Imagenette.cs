using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Transforms;
using ResNetSharp.IO;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// fastai's Imagenette and Imagewoof (https://github.com/fastai/imagenette): 10-class ImageNet subsets in three sizes
/// (<c>imagenette</c>: full size, <c>imagenette-320</c>, <c>imagenette-160</c>: shorter side 320 or 160 pixels; the same
/// for <c>imagewoof</c>), each a .tgz of an ImageFolder (<c>imagenette2-160/train/CLASS/*.JPEG</c>, <c>val/</c>) that
/// <c>--download</c> fetches from fastai's S3 bucket and unpacks with the BCL's tar and gzip readers.
/// </summary>
public static class Imagenette
{
    /// <summary>fastai's bucket, as a mirror list.</summary>
    public static IReadOnlyList<string> Mirrors { get; } = ["https://s3.amazonaws.com/fast-ai-imageclas/"];

    // fastai re-uploaded the archives, so more than one MD5 is published for each: fastai's own list
    // (fastai/data/checks.txt) and, for Imagenette, torchvision's (torchvision.datasets.Imagenette, 0.17).
    private static readonly Dictionary<string, string[]> Md5s = new()
    {
        ["imagenette2"] = ["2c774ecb40005b35d7937d50f5d42336", "fe2fc210e6bb7c5664d602c3cd71e612"],
        ["imagenette2-320"] = ["1f1f74f133caff120e575856659b87a2", "3df6f0d01a2c9592104656642f5e78a3"],
        ["imagenette2-160"] = ["c475f8f7617a200ba35b9facc48443c3", "e793b78cc4c9e9a4ccc0c1155377a412"],
        ["imagewoof2"] = ["2cc1c1e36e20cb6fd24ffb978edcb487"],
        ["imagewoof2-320"] = ["7a1fd92672a559a85de76e4810a20c21"],
        ["imagewoof2-160"] = ["3559b194123981a540b87132dbda412f"],
    };

    /// <summary>The spec names: imagenette, imagenette-320, imagenette-160, imagewoof, imagewoof-320, imagewoof-160.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Md5s.Keys.Select(Name)];

    /// <summary>The archive folder of a spec name ("imagenette-160" → "imagenette2-160"), or null when it is none of <see cref="Names"/>.</summary>
    public static string? Folder(string name) => Md5s.Keys.FirstOrDefault(f => Name(f) == name);

    private static string Name(string folder) => folder.EndsWith('2') ? folder[..^1] : folder.Replace("2-", "-", StringComparison.Ordinal);

    /// <summary>
    /// Opens <paramref name="name"/> from <paramref name="dir"/> (the unpacked folder or its parent; default: the
    /// <see cref="DatasetCache"/> folder under <paramref name="cacheRoot"/>) as an <see cref="ImageFolder"/>; with
    /// <paramref name="download"/>, fetches and unpacks the archive there first when it is missing.
    /// </summary>
    public static DataSource Open(string name, string? dir = null, bool download = false, int? imageSize = null,
        float cropFraction = ImageTransforms.CenterCropFraction, LoaderSettings? loader = null,
        IReadOnlyList<string>? mirrors = null, IReadOnlyList<string>? md5s = null, string? cacheRoot = null, Action<string>? downloading = null)
    {
        string folder = Folder(name) ?? throw new ResNetSharpException($"unknown dataset '{name}'; use one of: {string.Join(", ", Names)}.");
        dir ??= DatasetCache.For(name, cacheRoot);
        if (download && Find(dir, folder) is null)
            ArchiveDownload.Fetch(mirrors ?? Mirrors, folder + ".tgz", md5s ?? Md5s[folder], dir, folder, downloading);
        string root = Find(dir, folder) ?? throw new ResNetSharpException(
            $"no {name} data in '{dir}': expected '{Path.Combine(dir, folder, "train")}' and 'val'; extract {folder}.tgz there or pass TrainOptions.Download.");
        return ImageFolder.Open(root, imageSize, cropFraction, loader);
    }

    /// <summary>The unpacked folder: <paramref name="dir"/> itself or its <paramref name="folder"/> child, whichever has train/ and val/.</summary>
    private static string? Find(string dir, string folder) => new[] { dir, Path.Combine(dir, folder) }
        .FirstOrDefault(d => Directory.Exists(Path.Combine(d, "train")) && Directory.Exists(Path.Combine(d, "val")));
}
