using System.Buffers;
using System.Formats.Tar;
using System.Globalization;
using ResNetSharp.Data.Loading;
using ResNetSharp.IO;

namespace ResNetSharp.Data.Sources;

/// <summary>
/// Reads WebDataset tar shards (the layout timm and large-scale training use): each sample is consecutive members
/// KEY.jpg (or .jpeg, .png, .webp) and KEY.cls (the class index as text), KEY being the member path up to the first dot
/// of its file name; other extensions (.json, .txt) are ignored. Reads any POSIX tar (ustar, pax, GNU) sequentially
/// with <see cref="TarReader"/>. A sample without .cls or image, a .cls that is not a class index, or a truncated
/// shard is a <see cref="ResNetSharpException"/> naming the shard and the member.
/// </summary>
internal static class WebDatasetShards
{
    private static readonly HashSet<string> ImageExtensions = new(StringComparer.OrdinalIgnoreCase) { "jpg", "jpeg", "png", "webp" };

    /// <summary>
    /// The samples of <paramref name="shard"/> in file order from sample <paramref name="skip"/> on (the members of those
    /// before are passed over unread: <see cref="TarReader"/> seeks past unread data on a file); image bytes are rented
    /// from <see cref="ArrayPool{T}.Shared"/>.
    /// </summary>
    public static IEnumerable<(string Name, long Label, byte[] Bytes, int Length)> Read(string shard, int classCount, bool readImages = true, int skip = 0)
    {
        using var stream = File.OpenRead(shard);
        using var reader = new TarReader(stream);
        string? key = null, image = null;
        long? label = null;
        byte[]? bytes = null;
        int length = 0, index = 0;
        string member = "(start)";
        while (true)
        {
            TarEntry? entry;
            try { entry = reader.GetNextEntry(); }
            catch (Exception e) when (TarErrors.IsDamaged(e))
            {
                throw Truncated(shard, member, e);
            }
            if (entry is null) break;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)) continue;
            member = entry.Name;
            string file = Path.GetFileName(member);
            int dot = file.IndexOf('.');
            if (dot <= 0) continue;
            string entryKey = member[..(member.Length - file.Length + dot)], ext = file[(dot + 1)..].ToLowerInvariant();
            if (entryKey != key)
            {
                if (key is not null && index++ >= skip) yield return Complete(shard, key, image, label, bytes, length);
                (key, image, label, bytes, length) = (entryKey, null, null, null, 0);
            }
            if (index < skip) continue;
            if (ext == "cls") label = ReadLabel(shard, member, entry, classCount);
            else if (ImageExtensions.Contains(ext))
            {
                image = member;
                if (entry.Length > stream.Length)
                    throw new ResNetSharpException($"shard '{shard}': member '{member}' claims {entry.Length} bytes, more than the shard's {stream.Length}; rewrite it (resnet data pack) or remove it.");
                length = (int)entry.Length;
                if (readImages) bytes = ReadBytes(shard, member, entry, length);
            }
        }
        if (key is not null && index >= skip) yield return Complete(shard, key, image, label, bytes, length);
    }

    /// <summary>Counts the samples of a shard (headers only: image data is skipped).</summary>
    public static int Count(string shard, int classCount) => Read(shard, classCount, readImages: false).Count();

    private static (string, long, byte[], int) Complete(string shard, string key, string? image, long? label, byte[]? bytes, int length)
    {
        if (image is null) throw new ResNetSharpException($"shard '{shard}': sample '{key}' has no image member ({key}.jpg, .png or .webp); every sample needs one image and one .cls.");
        if (label is null) throw new ResNetSharpException($"shard '{shard}': sample '{key}' ({image}) has no '{key}.cls' member with its class index; add it.");
        return ($"{shard}:{image}", label.Value, bytes ?? [], length);
    }

    private static long ReadLabel(string shard, string member, TarEntry entry, int classCount)
    {
        using var text = new StreamReader(entry.DataStream ?? Stream.Null);
        string value;
        try { value = text.ReadToEnd().Trim(); }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException) { throw Truncated(shard, member, e); }
        return long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long label) && label < classCount
            ? label
            : throw new ResNetSharpException($"shard '{shard}': member '{member}' holds '{value}', not a class index in 0..{classCount - 1} (classes.txt has {classCount}).");
    }

    private static byte[] ReadBytes(string shard, string member, TarEntry entry, int length)
    {
        var bytes = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            (entry.DataStream ?? Stream.Null).ReadExactly(bytes, 0, length);
            return bytes;
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or IOException)
        {
            ArrayPool<byte>.Shared.Return(bytes);
            throw Truncated(shard, member, e);
        }
    }

    private static ResNetSharpException Truncated(string shard, string member, Exception e) =>
        new($"shard '{shard}' is truncated or corrupt after member '{member}' ({e.Message}); rewrite it (resnet data pack) or remove it.");

    /// <summary>The sample as an <see cref="EncodedSample"/> at <paramref name="position"/>.</summary>
    public static EncodedSample ToSample((string Name, long Label, byte[] Bytes, int Length) s, long position) =>
        new(s.Name, s.Label, position, s.Bytes, s.Length);
}
