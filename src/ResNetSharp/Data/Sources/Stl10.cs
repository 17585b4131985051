using ResNetSharp.IO;
using static TorchSharp.torch;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// STL-10's binary version (https://cs.stanford.edu/~acoates/stl10/), as torchvision reads it: <c>stl10_binary/</c>
/// with <c>train_X.bin</c>/<c>test_X.bin</c> (96x96 colour images, 27,648 bytes each: red, green, blue planes, each
/// stored column-major, so every plane is transposed on reading), <c>train_y.bin</c>/<c>test_y.bin</c> (one byte per
/// image, labels 1 to 10) and <c>class_names.txt</c>. 5,000 train / 8,000 test images; the unlabelled split is not read.
/// </summary>
public static class Stl10
{
    /// <summary>The image side.</summary>
    public const int Size = 96;

    private const int ImageBytes = 3 * Size * Size;

    /// <summary>The folder inside the archive.</summary>
    public const string Folder = "stl10_binary";

    /// <summary>torchvision's URL of the archive, as a mirror list.</summary>
    public static IReadOnlyList<string> Mirrors { get; } = ["http://ai.stanford.edu/~acoates/stl10/"];

    /// <summary>The archive's file name and torchvision's MD5 of it.</summary>
    public static (string File, string Md5) Archive { get; } = ("stl10_binary.tar.gz", "91f7769df0f17e558f3565bffb0c7dfb");

    /// <summary>
    /// Opens STL-10 from <paramref name="dir"/> (the <c>stl10_binary</c> folder or its parent; default: the
    /// <see cref="DatasetCache"/> folder under <paramref name="cacheRoot"/>); with <paramref name="download"/>, fetches
    /// and unpacks the archive there first when it is missing.
    /// </summary>
    public static InMemoryDataSource Open(string? dir = null, bool download = false, IReadOnlyList<string>? mirrors = null,
        string? archiveMd5 = null, string? cacheRoot = null, Action<string>? downloading = null)
    {
        dir ??= DatasetCache.For("stl10", cacheRoot);
        if (download && FindFolder(dir) is null)
            ArchiveDownload.Fetch(mirrors ?? Mirrors, Archive.File, [archiveMd5 ?? Archive.Md5], dir, Folder, downloading);
        string folder = FindFolder(dir) ?? throw new ResNetSharpException(
            $"no stl10 data in '{dir}': expected '{Path.Combine(dir, Folder, "test_X.bin")}'; extract {Archive.File} there or pass TrainOptions.Download.");
        string names = Path.Combine(folder, "class_names.txt");
        if (!File.Exists(names))
            throw new ResNetSharpException($"missing STL-10 class-name file '{names}'; re-extract the official archive.");
        List<string> classes = [.. File.ReadAllLines(names).Select(l => l.Trim()).Where(l => l.Length > 0)];
        return new InMemoryDataSource("stl10", classes, split => Read(folder, split == Split.Train ? "train" : "test", classes.Count));
    }

    private static string? FindFolder(string dir) =>
        new[] { dir, Path.Combine(dir, Folder) }.FirstOrDefault(d => File.Exists(Path.Combine(d, "test_X.bin")));

    private static LabelledImages Read(string folder, string split, int classCount)
    {
        string imagesPath = Path.Combine(folder, $"{split}_X.bin"), labelsPath = Path.Combine(folder, $"{split}_y.bin");
        foreach (var path in new[] { imagesPath, labelsPath })
            if (!File.Exists(path))
                throw new ResNetSharpException($"missing STL-10 file '{path}'; re-extract the official archive or pass TrainOptions.Download.");
        long length = new FileInfo(imagesPath).Length;
        if (length == 0 || length % ImageBytes != 0 || length > Array.MaxLength)
            throw new ResNetSharpException(
                $"'{imagesPath}' has {length} bytes, not a whole number of {ImageBytes}-byte 96x96 colour images: it is truncated or not STL-10; download it again.");
        var labelBytes = File.ReadAllBytes(labelsPath);
        if (labelBytes.Length != length / ImageBytes)
            throw new ResNetSharpException(
                $"'{labelsPath}' has {labelBytes.Length} labels but '{imagesPath}' has {length / ImageBytes} images: one of them is truncated; download them again.");
        int bad = Array.FindIndex(labelBytes, b => b < 1 || b > classCount);
        if (bad >= 0)
            throw new ResNetSharpException($"'{labelsPath}' label {bad} is {labelBytes[bad]}, not 1 to {classCount}: the file is corrupt; download it again.");
        using var scope = NewDisposeScope();
        var columnMajor = tensor(File.ReadAllBytes(imagesPath), [labelBytes.Length, 3, Size, Size]);
        return new LabelledImages(columnMajor.transpose(2, 3).contiguous(), tensor(labelBytes.Select(b => b - 1L).ToArray()));
    }
}
