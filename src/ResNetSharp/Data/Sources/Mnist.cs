using System.IO.Compression;
using ResNetSharp.IO;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// The MNIST family as torchvision names and lays it out: <c>mnist</c>, <c>fashion-mnist</c>, <c>kmnist</c> and
/// <c>emnist-SPLIT</c>, 28x28 greyscale (one channel) in IDX files (<see cref="Idx"/>), gzipped or not, in DIR itself,
/// DIR/raw or torchvision's DIR/CLASS/raw (e.g. <c>DIR/FashionMNIST/raw</c>). <c>--download</c> fetches the files
/// from torchvision's mirrors, in order, checked against torchvision's MD5s, into DIR/CLASS/raw. Without a folder the
/// dataset is looked for in <see cref="DatasetCache"/>, then in Debian's packaged copy (<c>apt-get install
/// dataset-fashion-mnist</c>: /usr/share/datasets/fashion-mnist).
/// </summary>
public static class Mnist
{
    /// <summary>One member of the family: its files, where to download them, its classes.</summary>
    /// <param name="Name">The spec name.</param>
    /// <param name="Folder">torchvision's class name, the folder above <c>raw</c>.</param>
    /// <param name="Prefix">The file name prefix of the four files ("" or "emnist-SPLIT-").</param>
    /// <param name="Mirrors">Base URLs, tried in order.</param>
    /// <param name="Md5s">The MD5 of each gzipped file, by name (empty when the files come in <paramref name="Archive"/>).</param>
    /// <param name="Archive">A zip of every split's gzipped files and its MD5 (EMNIST), or null.</param>
    /// <param name="Classes">The class names; a label indexes them.</param>
    /// <param name="AllowFlip">Whether a mirrored image keeps its label (clothes: yes; digits, letters: no).</param>
    /// <param name="SystemFolders">Folders where a distribution installs the dataset, looked in when no folder is given.</param>
    /// <param name="Mean">The training pixels' mean in [0,1] units, or null to compute it on loading.</param>
    /// <param name="Std">Their standard deviation, or null to compute it on loading.</param>
    public sealed record Variant(string Name, string Folder, string Prefix, string[] Mirrors, IReadOnlyDictionary<string, string> Md5s,
        (string File, string Md5)? Archive, IReadOnlyList<string> Classes, bool AllowFlip, string[] SystemFolders,
        float[]? Mean = null, float[]? Std = null);

    /// <summary>The image side of every dataset of the family.</summary>
    public const int Size = 28;

    private static Dictionary<string, string> Md5s(params string[] md5s) => new[]
    {
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
    }.Zip(md5s).ToDictionary(p => p.First, p => p.Second);

    /// <summary>MNIST: handwritten digits, 60,000 train / 10,000 test.</summary>
    public static Variant MnistDigits { get; } = new("mnist", "MNIST", "",
        ["http://yann.lecun.com/exdb/mnist/", "https://ossci-datasets.s3.amazonaws.com/mnist/"],
        Md5s("f68b3c2dcbeaaa9fbdd348bbdeb94873", "d53e105ee54ea40749a09fcbcd1e9432", "9fb629c4189551a2d022fa330f9573f3", "ec29112dd5afa0611ce80d1b7f02629c"),
        null, ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"], false, [],
        [0.1307f], [0.3081f]);   // the values torchvision's MNIST example normalises with

    /// <summary>Fashion-MNIST (Zalando): clothes, 60,000 train / 10,000 test; Debian packages it.</summary>
    public static Variant FashionMnist { get; } = new("fashion-mnist", "FashionMNIST", "",
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        Md5s("8d4fb7e6c68d591d4c3dfef9ec88bf0d", "25c81989df183df01b3e8a0aad5dffbe", "bef4ecab320f06d8554ea6380940ec79", "bb300cfdad3c16e7a12a480ee83cd310"),
        null, ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], true,
        ["/usr/share/datasets/fashion-mnist"], [0.2860f], [0.3530f]);   // computed over the 60,000 training images (Debian's files)

    /// <summary>Kuzushiji-MNIST: cursive Japanese characters, 60,000 train / 10,000 test.</summary>
    public static Variant Kmnist { get; } = new("kmnist", "KMNIST", "", ["http://codh.rois.ac.jp/kmnist/dataset/kmnist/"],
        Md5s("bdb82020997e1d708af4cf47b453dcf7", "e144d726b3acfaa3e44228e80efcd344", "5c965bf0a639b31b8f53240b1b52f4d7", "7320c461ea6c1c855c0b718fb2a4b134"),
        null, ["o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo"], false, []);

    /// <summary>EMNIST's split names, as torchvision spells them.</summary>
    public static IReadOnlyList<string> EmnistSplits { get; } = ["byclass", "bymerge", "balanced", "letters", "digits", "mnist"];

    /// <summary>EMNIST split <paramref name="split"/> (one of <see cref="EmnistSplits"/>), with torchvision's class lists.</summary>
    public static Variant Emnist(string split)
    {
        const string merged = "cijklmopsuvwxyz";   // lower-case letters merged into their capitals
        var all = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        IEnumerable<char> classes = split switch
        {
            "byclass" => all,
            "bymerge" or "balanced" => all.Where(c => !merged.Contains(c)),
            "letters" => "?abcdefghijklmnopqrstuvwxyz",
            "digits" or "mnist" => "0123456789",
            _ => throw new ResNetSharpException($"EMNIST has no split '{split}'; use one of: {string.Join(", ", EmnistSplits.Select(s => $"emnist-{s}"))}."),
        };
        var names = classes.Select(c => c == '?' ? "N/A" : c.ToString()).ToList();
        return new($"emnist-{split}", "EMNIST", $"emnist-{split}-", ["https://www.itl.nist.gov/iaui/vip/cs_links/EMNIST/"],
            new Dictionary<string, string>(), ("gzip.zip", "58c8d27c78d21e728a6bc7b3cc06412e"), names, false, []);
    }

    /// <summary>The four file names of a variant (without .gz): train images, train labels, test images, test labels.</summary>
    private static string[] Files(Variant v) => v.Prefix.Length == 0
        ? ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
        : [$"{v.Prefix}train-images-idx3-ubyte", $"{v.Prefix}train-labels-idx1-ubyte", $"{v.Prefix}test-images-idx3-ubyte", $"{v.Prefix}test-labels-idx1-ubyte"];

    /// <summary>
    /// Opens <paramref name="variant"/> from <paramref name="dir"/> (default: the <see cref="DatasetCache"/> folder under
    /// <paramref name="cacheRoot"/>, then the variant's system folders). With <paramref name="download"/>, missing files
    /// are fetched from <paramref name="mirrors"/> (default: the variant's) first.
    /// </summary>
    public static InMemoryDataSource Open(Variant variant, string? dir = null, bool download = false,
        IReadOnlyList<string>? mirrors = null, string? cacheRoot = null, Action<string>? downloading = null)
    {
        string target = dir ?? DatasetCache.For(variant.Name, cacheRoot);
        string? folder = Find(variant, target) ?? (dir is null ? variant.SystemFolders.Select(d => Find(variant, d)).FirstOrDefault(f => f is not null) : null);
        if (folder is null && download)
            folder = Download(variant, target, mirrors ?? variant.Mirrors, downloading);
        if (folder is null)
            throw new ResNetSharpException(
                $"no {variant.Name} data in '{target}'{(dir is null && variant.SystemFolders.Length > 0 ? $" or '{string.Join("', '", variant.SystemFolders)}'" : "")}: " +
                $"expected {Files(variant)[2]}(.gz) there or in its raw/ or {variant.Folder}/raw/ folder; pass TrainOptions.Download" +
                (variant.SystemFolders.Length > 0 ? " or install Debian's dataset-fashion-mnist package." : "."));
        var files = Files(variant);
        return new InMemoryDataSource(variant.Name, variant.Classes,
            split => Read(folder, split == Split.Train ? files[0] : files[2], split == Split.Train ? files[1] : files[3], variant.Classes.Count),
            allowFlip: variant.AllowFlip, mean: variant.Mean, std: variant.Std);
    }

    /// <summary>The folder holding the variant's test images (plain or gzipped): DIR, DIR/raw or DIR/CLASS/raw.</summary>
    private static string? Find(Variant variant, string dir) =>
        new[] { dir, Path.Combine(dir, "raw"), Path.Combine(dir, variant.Folder, "raw") }
            .FirstOrDefault(d => Locate(d, Files(variant)[2]) is not null);

    /// <summary>The file <paramref name="name"/> in <paramref name="folder"/>, plain or with .gz, or null.</summary>
    private static string? Locate(string folder, string name) =>
        new[] { Path.Combine(folder, name), Path.Combine(folder, name + ".gz") }.FirstOrDefault(File.Exists);

    private static LabelledImages Read(string folder, string imagesFile, string labelsFile, int classCount)
    {
        string images = Locate(folder, imagesFile) ?? throw new ResNetSharpException($"missing '{Path.Combine(folder, imagesFile)}(.gz)'; download the dataset again (TrainOptions.Download).");
        string labelsPath = Locate(folder, labelsFile) ?? throw new ResNetSharpException($"missing '{Path.Combine(folder, labelsFile)}(.gz)'; download the dataset again (TrainOptions.Download).");
        var (pixels, count, height, width) = Idx.ReadImages(images);
        if (count == 0)
            throw new ResNetSharpException($"'{images}' holds no images; it is truncated or corrupt, download it again (TrainOptions.Download).");
        var labels = Idx.ReadLabels(labelsPath);
        if (labels.Length != count)
            throw new ResNetSharpException($"'{labelsPath}' has {labels.Length} labels but '{images}' has {count} images; one of them is from another dataset or corrupt, download them again.");
        int bad = Array.FindIndex(labels, l => l < 0 || l >= classCount);
        if (bad >= 0)
            throw new ResNetSharpException($"'{labelsPath}' label {bad} is {labels[bad]} but there are {classCount} classes; the file is corrupt or from another dataset, download it again.");
        return new LabelledImages(pixels, labels, 1, height, width);
    }

    /// <summary>Fetches the variant's files into DIR/CLASS/raw and returns that folder.</summary>
    private static string Download(Variant variant, string dir, IReadOnlyList<string> mirrors, Action<string>? downloading)
    {
        string raw = Path.Combine(dir, variant.Folder, "raw");
        if (variant.Archive is not { } archive)
        {
            foreach (var (file, md5) in variant.Md5s)
                if (!File.Exists(Path.Combine(raw, file)))
                    MirrorDownload.Fetch(mirrors, file, [md5], Path.Combine(raw, file), downloading);
            return raw;
        }
        string zip = Path.Combine(raw, archive.File);
        MirrorDownload.Fetch(mirrors, archive.File, [archive.Md5], zip, downloading);
        try
        {
            using var entries = ZipFile.OpenRead(zip);
            foreach (var entry in entries.Entries.Where(e => e.Name.EndsWith(".gz", StringComparison.Ordinal)))
                AtomicFile.Write(Path.Combine(raw, entry.Name), output =>
                {
                    using var input = entry.Open();
                    input.CopyTo(output);
                });
        }
        catch (InvalidDataException e)
        {
            throw new ResNetSharpException($"'{zip}' is not a valid zip archive ({e.Message}); delete it and download it again.", e);
        }
        finally
        {
            File.Delete(zip);
        }
        return Find(variant, dir) ?? throw new ResNetSharpException(
            $"{archive.File} holds no {Files(variant)[2]}.gz: it is not the official EMNIST archive; download it by hand from {mirrors[0]}.");
    }
}
