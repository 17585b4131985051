using Microsoft.Extensions.Options;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.IO;
using ResNetSharp.Serving;
using ResNetSharp.Serving.Security;

namespace ResNetSharp.Fuzz;

/// <summary>The targets of the dataset readers, archive unpacking and the serving key file.</summary>
public sealed partial class FuzzTargets
{
    /// <summary>An IDX file (gzipped or not) read whole, then as labels [N] or images [N, H, W] by its rank.</summary>
    private static void IdxFile(string path)
    {
        var array = Idx.Read(path);
        if (array.Shape.Length == 1) Idx.ReadLabels(path);
        else if (array.Shape.Length == 3) Idx.ReadImages(path);
    }

    /// <summary>
    /// STL-10's binary test split: the first byte is the label count L, the next L bytes test_y.bin, the rest
    /// test_X.bin (ten classes).
    /// </summary>
    private void Stl10Binary(byte[] input)
    {
        int labels = input.Length == 0 ? 0 : Math.Min(input[0], input.Length - 1);
        string dir = Path.Combine(scratch, Stl10.Folder);
        Directory.CreateDirectory(dir);
        System.IO.File.WriteAllLines(Path.Combine(dir, "class_names.txt"), Enumerable.Range(0, 10).Select(i => $"class{i}"));
        System.IO.File.WriteAllBytes(Path.Combine(dir, "test_y.bin"), input[1..(1 + labels)]);
        System.IO.File.WriteAllBytes(Path.Combine(dir, "test_X.bin"), input[(1 + labels)..]);
        using var source = Stl10.Open(scratch);
        source.Get(Split.Val);
    }

    /// <summary>A MAT-file as SVHN's: X as bytes and y as integers.</summary>
    private static void Mat(string path)
    {
        var variables = MatFile.Read(path, "X", "y");
        variables["X"].ToBytes(path);
        variables["y"].ToLongs(path);
    }

    /// <summary>
    /// A .tar.gz dataset archive unpacked as the downloads unpack it, into a folder three levels below a jail; anything
    /// the unpacker leaves in the jail outside that folder's <see cref="Stl10.Folder"/> (a <c>../</c> member, a link out) is a
    /// write outside the target folder and throws, so afl-fuzz records it as a crash.
    /// </summary>
    private void TarGz(byte[] input)
    {
        string archive = File("fuzz.tar.gz", input), jail = Path.Combine(scratch, "targz");
        if (Directory.Exists(jail)) Directory.Delete(jail, recursive: true);
        string dir = Path.Combine(jail, "up", "up", "dir");
        try
        {
            ArchiveDownload.Unpack(archive, "fuzz.tar.gz", dir, Stl10.Folder);
        }
        finally
        {
            string[] allowed = [Path.Combine(jail, "up"), Path.Combine(jail, "up", "up"), dir];
            string inside = Path.Combine(dir, Stl10.Folder);
            foreach (var entry in Walk(new DirectoryInfo(jail)))
                if (!allowed.Contains(entry.FullName) && entry.FullName != inside && !entry.FullName.StartsWith(inside + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    throw new InvalidOperationException($"unpacking wrote '{entry.FullName}', outside '{inside}'");
        }
    }

    /// <summary>Every entry below <paramref name="dir"/>, not following links.</summary>
    private static IEnumerable<FileSystemInfo> Walk(DirectoryInfo dir)
    {
        foreach (var entry in dir.EnumerateFileSystemInfos())
        {
            yield return entry;
            if (entry is DirectoryInfo sub && sub.LinkTarget is null)
                foreach (var below in Walk(sub)) yield return below;
        }
    }

    /// <summary>Serving's API-key file, read as the server reads it at start-up, then one key checked against it.</summary>
    private static void ApiKeyFile(string path)
    {
        using var keys = new ApiKeys(Options.Create(new ResNetClassifierOptions { ApiKeyFile = path }));
        keys.Match("fuzz");
    }
}
