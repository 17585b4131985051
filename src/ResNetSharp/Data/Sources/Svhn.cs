using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// SVHN's cropped digits (http://ufldl.stanford.edu/housenumbers/) as torchvision reads them: <c>train_32x32.mat</c>
/// (73,257 images) and <c>test_32x32.mat</c> (26,032), MATLAB files (<see cref="MatFile"/>) holding X, uint8
/// [32, 32, 3, N] column-major, and y, [N, 1] labels 1 to 10 where 10 is the digit 0 (read as class 0, as torchvision
/// does). The extra split is not read.
/// </summary>
public static class Svhn
{
    /// <summary>The image side.</summary>
    public const int Size = 32;

    /// <summary>torchvision's download folder, as a mirror list.</summary>
    public static IReadOnlyList<string> Mirrors { get; } = ["http://ufldl.stanford.edu/housenumbers/"];

    /// <summary>torchvision's MD5 of each split file.</summary>
    public static IReadOnlyDictionary<string, string> Md5s { get; } = new Dictionary<string, string>
    {
        ["train_32x32.mat"] = "e26dedcc434d2e4c54c9b2d4a06d8373",
        ["test_32x32.mat"] = "eb5a983be6a315427106f1b164d9cef3",
    };

    /// <summary>
    /// Opens SVHN from <paramref name="dir"/> (default: the <see cref="DatasetCache"/> folder under
    /// <paramref name="cacheRoot"/>); with <paramref name="download"/>, missing files are fetched first.
    /// </summary>
    public static InMemoryDataSource Open(string? dir = null, bool download = false, IReadOnlyList<string>? mirrors = null,
        IReadOnlyDictionary<string, string>? md5s = null, string? cacheRoot = null, Action<string>? downloading = null)
    {
        dir ??= DatasetCache.For("svhn", cacheRoot);
        foreach (var (file, md5) in md5s ?? Md5s)
            if (download && !File.Exists(Path.Combine(dir, file)))
                MirrorDownload.Fetch(mirrors ?? Mirrors, file, [md5], Path.Combine(dir, file), downloading);
        if (!File.Exists(Path.Combine(dir, "test_32x32.mat")))
            throw new ResNetSharpException($"no svhn data in '{dir}': expected train_32x32.mat and test_32x32.mat there; pass TrainOptions.Download.");
        return new InMemoryDataSource("svhn", [.. Enumerable.Range(0, 10).Select(d => d.ToString())],
            split => Read(Path.Combine(dir, split == Split.Train ? "train_32x32.mat" : "test_32x32.mat")), allowFlip: false);
    }

    /// <summary>One split file as [N, 3, 32, 32] images and labels 0 to 9.</summary>
    public static LabelledImages Read(string path)
    {
        var vars = MatFile.Read(path, "X", "y");
        var (x, y) = (vars["X"], vars["y"]);
        if (x.Dims is not [Size, Size, 3, var n])
            throw new ResNetSharpException($"'{path}' has X of [{string.Join(" x ", x.Dims)}], not [32 x 32 x 3 x N]: it is not an SVHN file; download it again.");
        if (y.Count != n)
            throw new ResNetSharpException($"'{path}' has {y.Count} labels in y but {n} images in X: it is corrupt; download it again.");
        var labels = y.ToLongs(path);
        int bad = Array.FindIndex(labels, l => l is < 1 or > 10);
        if (bad >= 0)
            throw new ResNetSharpException($"'{path}' label {bad} is {labels[bad]}, not 1 to 10: it is corrupt; download it again.");
        using var scope = NewDisposeScope();
        // Column-major [32 (row), 32 (column), 3, N] is row-major [N, 3, column, row]: swap the last two.
        var images = tensor(x.ToBytes(path), [n, 3, Size, Size]).transpose(2, 3).contiguous();
        return new LabelledImages(images, tensor(labels.Select(l => l % 10).ToArray()));
    }
}
