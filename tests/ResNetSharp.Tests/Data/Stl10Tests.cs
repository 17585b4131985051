using ResNetSharp.Data;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Tests.Data;

public class Stl10Tests
{
    /// <summary>
    /// Writes stl10_binary/ as the real files lay it out: image n's channel ch is stored column-major, so byte
    /// (n, ch, x, y) holds pixel (row y, column x) = (n + 3ch + 2y + x) % 256; labels are 1-based.
    /// </summary>
    private static string Write(string root, int train = 3, int test = 2)
    {
        string folder = Path.Combine(root, "stl10_binary");
        Directory.CreateDirectory(folder);
        foreach (var (split, n) in new[] { ("train", train), ("test", test) })
        {
            var bytes = new byte[n * 3 * 96 * 96];
            for (int i = 0, k = 0; i < n; i++)
                for (int ch = 0; ch < 3; ch++)
                    for (int x = 0; x < 96; x++)
                        for (int y = 0; y < 96; y++)
                            bytes[k++] = (byte)((i + 3 * ch + 2 * y + x) % 256);
            File.WriteAllBytes(Path.Combine(folder, $"{split}_X.bin"), bytes);
            File.WriteAllBytes(Path.Combine(folder, $"{split}_y.bin"), [.. Enumerable.Range(0, n).Select(i => (byte)(10 - i))]);
        }
        File.WriteAllLines(Path.Combine(folder, "class_names.txt"), ["airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"]);
        return folder;
    }

    [Fact]
    public void Reads_column_major_planes_and_one_based_labels()
    {
        using var dir = new TempDir();
        string folder = Write(dir.Path);
        foreach (var spec in new[] { $"stl10:{dir.Path}", $"stl10:{folder}" })
        {
            using var source = (InMemoryDataSource)DataSpec.Open(spec);
            Assert.Equal((3, 96, 96), source.InputSize);
            var train = source.Get(Split.Train);
            Assert.Equal([9L, 8, 7], train.Labels.data<long>().ToArray());
            foreach (var (n, ch, y, x) in new[] { (0, 0, 0, 1), (2, 1, 5, 40), (1, 2, 95, 3) })
                Assert.Equal((byte)((n + 3 * ch + 2 * y + x) % 256), train.Images[n, ch, y, x].item<byte>());
            Assert.Equal("truck", source.Classes[9]);
        }
    }

    [Fact]
    public void Truncated_files_or_bad_labels_are_one_clear_error()
    {
        using var dir = new TempDir();
        string folder = Write(dir.Path);
        string images = Path.Combine(folder, "train_X.bin"), labels = Path.Combine(folder, "train_y.bin");
        string Error()
        {
            using var source = (InMemoryDataSource)DataSpec.Open($"stl10:{dir.Path}");
            return Assert.Throws<ResNetSharpException>(() => source.Get(Split.Train)).Message;
        }
        File.WriteAllBytes(labels, [1, 2]);
        Assert.Contains($"'{labels}' has 2 labels but '{images}' has 3 images", Error());
        File.WriteAllBytes(labels, [1, 11, 2]);
        Assert.Contains("label 1 is 11, not 1 to 10", Error());
        File.WriteAllBytes(images, File.ReadAllBytes(images)[..30000]);
        Assert.Contains($"'{images}' has 30000 bytes", Error());
        Assert.Contains("no stl10 data", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"stl10:{dir.Combine("none")}")).Message);
    }

    [Fact]
    public void Download_unpacks_the_archive_after_the_md5_check()
    {
        using var dir = new TempDir();
        Write(dir.Combine("src"));
        var (bytes, md5) = TestArchives.TarGz(dir.Combine("src"));
        using var down = new LoopbackServer();
        using var server = new LoopbackServer(("stl10_binary.tar.gz", bytes));
        var e = Assert.Throws<ResNetSharpException>(() => Stl10.Open(dir.Combine("data"), download: true, mirrors: [down.Url, server.Url]));
        Assert.Contains("expected 91f7769df0f17e558f3565bffb0c7dfb", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Combine("data")));
        using var source = Stl10.Open(dir.Combine("data"), download: true, mirrors: [down.Url, server.Url], archiveMd5: md5);
        Assert.Equal(2, source.Get(Split.Val).Count);
        Assert.Equal(["stl10_binary"], Directory.EnumerateFileSystemEntries(dir.Combine("data")).Select(Path.GetFileName));
    }
}
