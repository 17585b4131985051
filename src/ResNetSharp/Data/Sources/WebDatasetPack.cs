using System.Formats.Tar;
using System.Globalization;
using System.Text;
using ResNetSharp.IO;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// <c>resnet data pack folder:DIR --out DIR</c>: writes an ImageFolder as WebDataset shards: train-000000.tar, … and
/// val-000000.tar, … of at most the shard size each (a single larger image gets a shard of its own), members
/// KEY.EXT (the file's bytes, unchanged) and KEY.cls (the class index), KEY the sample's 8-digit index; training
/// samples in an order shuffled from the seed (so each shard mixes classes), validation in file order; classes.txt.
/// Every file is written atomically.
/// </summary>
public static class WebDatasetPack
{
    /// <summary>Bytes a tar member adds beyond its data, at most: a 512-byte header and up to 511 bytes of padding.</summary>
    private const int MemberOverhead = 1024;

    /// <summary>Writes the shards; returns their paths.</summary>
    public static IReadOnlyList<string> Pack(string folderSpec, string outDir, long shardBytes, int seed = 0)
    {
        var (spec, kind, dir) = DataSpec.Parse(folderSpec);
        if (kind != "folder" || string.IsNullOrWhiteSpace(dir))
            throw new ResNetSharpException($"data pack reads an ImageFolder, folder:DIR, not '{spec}'.");
        if (shardBytes < 1) throw new ResNetSharpException($"the shard size must be at least 1 byte, not {shardBytes}.");
        var written = new List<string>();
        List<string>? classes = null;
        foreach (var (split, name) in new[] { (Split.Train, "train"), (Split.Val, "val") })
        {
            if (!Directory.Exists(Path.Combine(dir, name))) continue;
            var (names, listing) = ImageFolder.Scan(dir, name);
            if (classes is not null && !classes.SequenceEqual(names))
                throw new ResNetSharpException($"'{dir}': train and val have different class folders; give both splits the same classes (see 'resnet data check').");
            classes = names;
            int[] order = [.. Enumerable.Range(0, listing.Files.Count)];
            if (split == Split.Train) Seeds.Rng(seed).Shuffle(order);
            Directory.CreateDirectory(outDir);
            foreach (var shard in Cut(order, i => new FileInfo(listing.Files[i]).Length, shardBytes))
            {
                string path = Path.Combine(outDir, $"{name}-{written.Count(p => Path.GetFileName(p).StartsWith(name + "-", StringComparison.Ordinal)):D6}.tar");
                AtomicFile.Write(path, stream => WriteShard(stream, shard, listing));
                written.Add(path);
            }
        }
        if (classes is null) throw new ResNetSharpException($"'{dir}' has neither train/ nor val/ class folders (ImageFolder layout).");
        AtomicFile.Write(Path.Combine(outDir, WebDataset.ClassesFile), stream =>
        {
            using var text = new StreamWriter(stream, new UTF8Encoding(false));
            foreach (var c in classes) text.Write(c + "\n");
        });
        return written;
    }

    /// <summary>Consecutive runs of <paramref name="order"/> whose members fit in <paramref name="shardBytes"/>.</summary>
    private static IEnumerable<List<int>> Cut(int[] order, Func<int, long> size, long shardBytes)
    {
        var shard = new List<int>();
        long bytes = 0;
        foreach (int i in order)
        {
            long sample = size(i) + 2 * MemberOverhead;
            if (shard.Count > 0 && bytes + sample > shardBytes)
            {
                yield return shard;
                (shard, bytes) = ([], 0);
            }
            shard.Add(i);
            bytes += sample;
        }
        if (shard.Count > 0) yield return shard;
    }

    private static void WriteShard(Stream stream, List<int> samples, ImageFolder.Listing listing)
    {
        using var tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true);
        foreach (int i in samples)
        {
            string key = i.ToString("D8", CultureInfo.InvariantCulture), file = listing.Files[i];
            tar.WriteEntry(file, key + Path.GetExtension(file).ToLowerInvariant());
            var label = new UstarTarEntry(TarEntryType.RegularFile, key + ".cls")
            {
                DataStream = new MemoryStream(Encoding.ASCII.GetBytes(listing.Labels[i].ToString(CultureInfo.InvariantCulture))),
            };
            tar.WriteEntry(label);
        }
    }

    /// <summary>Parses a size such as 256MB, 1GB, 500KB or a plain byte count (KB, MB, GB: powers of 1024).</summary>
    public static long ParseSize(string text)
    {
        string t = text.Trim().ToUpperInvariant();
        (string number, long unit) = t.EndsWith("GB") ? (t[..^2], 1L << 30) : t.EndsWith("MB") ? (t[..^2], 1L << 20)
            : t.EndsWith("KB") ? (t[..^2], 1L << 10) : t.EndsWith('B') ? (t[..^1], 1L) : (t, 1L);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && v > 0 && v * unit < long.MaxValue
            ? (long)(v * unit)
            : throw new ResNetSharpException($"cannot read the shard size '{text}'; use e.g. 256MB, 1GB, 500KB or a byte count.");
    }
}
