using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using ResNetSharp.Data.Images;
using ResNetSharp.Data.Sources;
using ResNetSharp.Data.Transforms;
using SkiaSharp;

namespace ResNetSharp.Data.Check;

/// <summary>One encoded image of a dataset being checked: its split, class, name (path, or shard:member) and bytes.</summary>
public sealed record CheckItem(string Split, string Class, string Name, Func<byte[]> Read);

/// <summary>
/// What <see cref="DataCheck"/> found: each problem as one line naming the file (or class), images per class per
/// split, and the smallest and largest image sizes (by area).
/// </summary>
public sealed record DataCheckReport(IReadOnlyList<string> Problems, IReadOnlyDictionary<string, IReadOnlyDictionary<string, int>> ImagesPerClass,
    long Images, (int Width, int Height)? Smallest, (int Width, int Height)? Largest)
{
    /// <summary>Whether no problem was found.</summary>
    public bool Clean => Problems.Count == 0;
}

/// <summary>
/// <c>resnet data check SPEC</c> (folder:DIR or wds:DIR): scans a dataset before any training. Every image is decoded in full (a truncated
/// JPEG counts as bad), and the report names each undecodable or truncated file, each empty class, each class present
/// in only one split, and each group of exact duplicates (same bytes) within a split or across train and val.
/// </summary>
public static class DataCheck
{
    /// <summary>Checks the dataset named by <paramref name="spec"/> (folder:DIR or wds:DIR).</summary>
    public static DataCheckReport Run(string spec)
    {
        var (s, kind, dir) = DataSpec.Parse(spec);
        return kind switch
        {
            "folder" when !string.IsNullOrWhiteSpace(dir) => Run([FolderItems(dir, out var classes)], classes),
            "wds" when !string.IsNullOrWhiteSpace(dir) => Run(ShardItems(dir, out var classes), classes),
            _ => throw new ResNetSharpException($"data check reads folder:DIR and wds:DIR datasets, not '{s}'."),
        };
    }

    /// <summary>
    /// Checks the items of each group in turn (a group is loaded only when its turn comes: one tar shard at a time);
    /// a group that cannot be read (a truncated shard, a sample without .cls) is one problem. <paramref name="classes"/>
    /// lists each split's class names (empty ones included).
    /// </summary>
    public static DataCheckReport Run(IEnumerable<Func<IReadOnlyList<CheckItem>>> groups, IReadOnlyDictionary<string, IReadOnlyList<string>> classes)
    {
        var problems = new ConcurrentBag<string>();
        var seen = new List<(string Split, string Class, string Name, string Hash, (int Width, int Height)? Size)>();
        foreach (var group in groups)
        {
            IReadOnlyList<CheckItem> items;
            try { items = group(); }
            catch (ResNetSharpException e)
            {
                problems.Add(e.Message);
                continue;
            }
            var hashes = new string[items.Count];
            var sizes = new (int Width, int Height)?[items.Count];
            ParallelLoop.For(items.Count, i =>
            {
                var bytes = items[i].Read();
                hashes[i] = Convert.ToHexString(SHA256.HashData(bytes));
                var (width, height, error) = Inspect(bytes);
                if (error is null) sizes[i] = (width, height);
                else problems.Add($"{items[i].Name}: {error}");
            });
            seen.AddRange(items.Select((x, i) => (x.Split, x.Class, x.Name, hashes[i], sizes[i])));
        }
        var perClass = classes.ToDictionary(c => c.Key, c => (IReadOnlyDictionary<string, int>)c.Value.ToDictionary(
            name => name, name => seen.Count(x => x.Split == c.Key && x.Class == name)));
        var lines = problems.Order(StringComparer.Ordinal).ToList();
        foreach (var (split, counts) in perClass)
            foreach (var (name, count) in counts.Where(c => c.Value == 0))
                lines.Add($"{split}/{name}: empty class (no images); add images or remove the folder.");
        if (classes.Count > 1)
            foreach (var (split, names) in classes)
                foreach (var name in names.Where(n => classes.Where(c => c.Key != split).Any(c => !c.Value.Contains(n))))
                    lines.Add($"{split}/{name}: class only in {split}; give every split the same classes.");
        foreach (var group in seen.GroupBy(x => x.Hash).Where(g => g.Count() > 1))
        {
            var splits = group.Select(x => x.Split).Distinct().ToList();
            string where = splits.Count > 1 ? $"across {string.Join(" and ", splits)}" : $"within {splits[0]}";
            lines.Add($"duplicate images (same bytes, {where}): {string.Join(", ", group.Select(x => x.Name))}; keep one.");
        }
        var known = seen.Select(x => x.Size).OfType<(int Width, int Height)>().ToList();
        return new DataCheckReport(lines, perClass, seen.Count,
            known.Count == 0 ? null : known.MinBy(s => (long)s.Width * s.Height), known.Count == 0 ? null : known.MaxBy(s => (long)s.Width * s.Height));
    }

    /// <summary>The image's size, or why it cannot be used: not decodable, or truncated (cut short before its last pixels).</summary>
    public static (int Width, int Height, string? Error) Inspect(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        if (codec is null) return (0, 0, "not a decodable image (corrupt, or not JPEG, PNG, BMP, GIF or WebP); replace or remove it.");
        var info = codec.Info.WithColorType(SKColorType.Rgba8888).WithAlphaType(SKAlphaType.Unpremul);
        if (ImageFiles.SizeProblem(info.Width, info.Height) is { } problem) return (info.Width, info.Height, problem);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels(), ImageFiles.NoFill);
        return result switch
        {
            SKCodecResult.Success => (info.Width, info.Height, null),
            SKCodecResult.IncompleteInput => (info.Width, info.Height, "truncated (the file ends before its last pixels); replace or remove it."),
            _ => (info.Width, info.Height, $"cannot be decoded ({result}); replace or remove it."),
        };
    }

    private static Func<IReadOnlyList<CheckItem>> FolderItems(string dir, out IReadOnlyDictionary<string, IReadOnlyList<string>> classes)
    {
        var items = new List<CheckItem>();
        var found = new Dictionary<string, IReadOnlyList<string>>();
        foreach (var split in new[] { "train", "val" })
        {
            string root = Path.Combine(dir, split);
            if (!Directory.Exists(root)) continue;
            var names = Directory.GetDirectories(root).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
            found[split] = names;
            foreach (var name in names)
                items.AddRange(Directory.EnumerateFiles(Path.Combine(root, name), "*", SearchOption.AllDirectories)
                    .Where(f => ImageFiles.Extensions.Contains(Path.GetExtension(f))).Order(StringComparer.Ordinal)
                    .Select(f => new CheckItem(split, name, f, () => File.ReadAllBytes(f))));
        }
        if (found.Count == 0)
            throw new ResNetSharpException($"'{dir}' has neither train/ nor val/; a folder dataset needs {{train,val}}/CLASS/IMAGE files (ImageFolder layout).");
        classes = found;
        return () => items;
    }

    /// <summary>One group per shard of wds:DIR; both splits have the classes of classes.txt.</summary>
    private static IEnumerable<Func<IReadOnlyList<CheckItem>>> ShardItems(string dir, out IReadOnlyDictionary<string, IReadOnlyList<string>> classes)
    {
        using var source = WebDataset.Open(dir, imageSize: null, ImageTransforms.CenterCropFraction, loader: null);
        var names = source.Classes;
        var splits = new[] { Split.Train, Split.Val }.Where(s => WebDataset.Shards(dir, s).Count > 0).ToList();
        classes = splits.ToDictionary(s => Name(s), _ => names);
        return splits.SelectMany(split => WebDataset.Shards(dir, split).Select(shard => (Func<IReadOnlyList<CheckItem>>)(() =>
            [.. WebDatasetShards.Read(shard, names.Count).Select(sample =>
            {
                var bytes = sample.Bytes[..sample.Length];
                ArrayPool<byte>.Shared.Return(sample.Bytes);
                return new CheckItem(Name(split), names[(int)sample.Label], sample.Name, () => bytes);
            })])));
    }

    private static string Name(Split split) => split == Split.Train ? "train" : "val";
}
