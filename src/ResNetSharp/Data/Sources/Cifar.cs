namespace ResNetSharp.Data.Sources;

/// <summary>
/// CIFAR-10 and CIFAR-100 in their official binary versions (https://www.cs.toronto.edu/~kriz/cifar.html).
/// A CIFAR-10 record is 1 label byte + 3072 pixel bytes (1024 red, 1024 green, 1024 blue, row-major: already CHW);
/// a CIFAR-100 record is a coarse label byte, a fine label byte, then the same 3072 bytes.
/// </summary>
public static class Cifar
{
    /// <summary>One CIFAR variant: where its files are and how to read them.</summary>
    public sealed record Variant
    {
        /// <summary>The data spec name ("cifar10", ...).</summary>
        public required string Name { get; init; }

        /// <summary>The folder the archive extracts to.</summary>
        public required string Folder { get; init; }

        /// <summary>The training split files.</summary>
        public required string[] TrainFiles { get; init; }

        /// <summary>The test split file.</summary>
        public required string TestFile { get; init; }

        /// <summary>The file of class names, one a line.</summary>
        public required string LabelNamesFile { get; init; }

        /// <summary>Label bytes before the pixels of each record.</summary>
        public required int LabelBytes { get; init; }

        /// <summary>Which of those bytes is the label.</summary>
        public required int LabelOffset { get; init; }

        /// <summary>The archive's file name.</summary>
        public required string Archive { get; init; }

        /// <summary>The archive's MD5.</summary>
        public required string ArchiveMd5 { get; init; }

        /// <summary>Per-channel mean of the training images, [0,1] units.</summary>
        public required float[] Mean { get; init; }

        /// <summary>Per-channel standard deviation of the training images.</summary>
        public required float[] Std { get; init; }
    }

    /// <summary>The image side of every CIFAR dataset.</summary>
    public const int Size = 32;

    private const int PixelBytes = 3 * Size * Size;

    // Per-channel mean/std of the 50,000 training images in [0,1] units, the values widely quoted for these datasets
    // (the std here is over all pixels; some code copies 0.2023/0.1994/0.2010 for CIFAR-10, a different estimate).
    // Archive MD5s: the table on the CIFAR page above.
    private static readonly float[] Cifar10Mean = [0.4914f, 0.4822f, 0.4465f], Cifar10Std = [0.2470f, 0.2435f, 0.2616f];
    private static readonly float[] Cifar100Mean = [0.5071f, 0.4865f, 0.4409f], Cifar100Std = [0.2673f, 0.2564f, 0.2762f];

    /// <summary>CIFAR-10: 10 classes, 50,000 train / 10,000 test.</summary>
    public static Variant Cifar10 { get; } = new()
    {
        Name = "cifar10", Folder = "cifar-10-batches-bin", TrainFiles = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin")],
        TestFile = "test_batch.bin", LabelNamesFile = "batches.meta.txt", LabelBytes = 1, LabelOffset = 0,
        Archive = "cifar-10-binary.tar.gz", ArchiveMd5 = "c32a1d4ab5d03f1284b67883e8d87530", Mean = Cifar10Mean, Std = Cifar10Std,
    };

    /// <summary>CIFAR-100 with its 100 fine labels.</summary>
    public static Variant Cifar100 { get; } = new()
    {
        Name = "cifar100", Folder = "cifar-100-binary", TrainFiles = ["train.bin"], TestFile = "test.bin",
        LabelNamesFile = "fine_label_names.txt", LabelBytes = 2, LabelOffset = 1,
        Archive = "cifar-100-binary.tar.gz", ArchiveMd5 = "03b5dce01913d631647c71ecec9e9cb8", Mean = Cifar100Mean, Std = Cifar100Std,
    };

    /// <summary>CIFAR-100 with its 20 coarse labels (superclasses).</summary>
    public static Variant Cifar100Coarse { get; } = Cifar100 with
    {
        Name = "cifar100-coarse", LabelNamesFile = "coarse_label_names.txt", LabelOffset = 0,
    };

    /// <summary>
    /// Opens <paramref name="variant"/> from <paramref name="dir"/> (the extracted folder or its parent). With
    /// <paramref name="download"/>, downloads and extracts the archive into <paramref name="dir"/> when it is missing.
    /// </summary>
    public static InMemoryDataSource Open(Variant variant, string dir, bool download = false, string? baseUrl = null)
    {
        if (download && FindFolder(variant, dir) is null)
            CifarDownload.Fetch(variant, dir, baseUrl);
        string folder = FindFolder(variant, dir) ?? throw new ResNetSharpException(
            $"no {variant.Name} data in '{dir}': expected '{Path.Combine(dir, variant.Folder, variant.TestFile)}'; " +
            $"extract {variant.Archive} there or pass TrainOptions.Download.");
        var classes = ReadClassNames(Path.Combine(folder, variant.LabelNamesFile));
        return new InMemoryDataSource(variant.Name, classes, split => Read(variant, folder, split, classes.Count),
            mean: variant.Mean, std: variant.Std);
    }

    /// <summary>The folder holding the binary files: <paramref name="dir"/> itself or its <c>Folder</c> child.</summary>
    private static string? FindFolder(Variant variant, string dir) =>
        new[] { dir, Path.Combine(dir, variant.Folder) }.FirstOrDefault(d => File.Exists(Path.Combine(d, variant.TestFile)));

    private static List<string> ReadClassNames(string path)
    {
        if (!File.Exists(path))
            throw new ResNetSharpException($"missing CIFAR class-name file '{path}'; re-extract the official archive.");
        return [.. File.ReadAllLines(path).Select(l => l.Trim()).Where(l => l.Length > 0)];
    }

    private static LabelledImages Read(Variant variant, string folder, Split split, int classCount)
    {
        var files = split == Split.Train ? variant.TrainFiles : [variant.TestFile];
        int record = variant.LabelBytes + PixelBytes;
        var raw = files.Select(f => ReadRecords(Path.Combine(folder, f), record)).ToList();
        long count = raw.Sum(r => (long)r.Length / record);
        var pixels = new byte[count * PixelBytes];
        var labels = new long[count];
        long n = 0;
        for (int f = 0; f < raw.Count; f++)
            for (int offset = 0; offset < raw[f].Length; offset += record, n++)
            {
                labels[n] = raw[f][offset + variant.LabelOffset];
                if (labels[n] >= classCount)
                    throw new ResNetSharpException(
                        $"'{Path.Combine(folder, files[f])}' record {offset / record} has label {labels[n]} but there are {classCount} classes; the file is corrupt, re-extract it.");
                Buffer.BlockCopy(raw[f], offset + variant.LabelBytes, pixels, (int)(n * PixelBytes), PixelBytes);
            }
        return new LabelledImages(pixels, labels, 3, Size, Size);
    }

    private static byte[] ReadRecords(string path, int record)
    {
        if (!File.Exists(path))
            throw new ResNetSharpException($"missing CIFAR file '{path}'; re-extract the official archive or pass TrainOptions.Download.");
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length == 0 || bytes.Length % record != 0)
            throw new ResNetSharpException(
                $"'{path}' has {bytes.Length} bytes, not a whole number of {record}-byte records: it is truncated or not this CIFAR variant; download it again.");
        return bytes;
    }
}
