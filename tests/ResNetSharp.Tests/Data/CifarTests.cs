using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class CifarTests
{
    /// <summary>Writes a CIFAR-10 binary folder: record r of file f has label (f + r) % 10 and pixels (f·31 + r + i) % 256.</summary>
    private static string WriteCifar10(string root, int recordsPerFile = 2)
    {
        string folder = Path.Combine(root, "cifar-10-batches-bin");
        Directory.CreateDirectory(folder);
        string[] files = [.. Enumerable.Range(1, 5).Select(i => $"data_batch_{i}.bin"), "test_batch.bin"];
        for (int f = 0; f < files.Length; f++)
            File.WriteAllBytes(Path.Combine(folder, files[f]), [.. Enumerable.Range(0, recordsPerFile).SelectMany(r => Record(f, r, [(byte)((f + r) % 10)]))]);
        File.WriteAllLines(Path.Combine(folder, "batches.meta.txt"), ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck", ""]);
        return folder;
    }

    private static IEnumerable<byte> Record(int f, int r, byte[] labels) =>
        labels.Concat(Enumerable.Range(0, 3072).Select(i => (byte)((f * 31 + r + i) % 256)));

    [Fact]
    public void Reads_cifar10_binary_records_from_the_folder_or_its_parent()
    {
        using var dir = new TempDir();
        string folder = WriteCifar10(dir.Path);
        foreach (var spec in new[] { $"cifar10:{dir.Path}", $"cifar10:{folder}" })
        {
            using var source = (InMemoryDataSource)DataSpec.Open(spec);
            Assert.Equal(10, source.Classes.Count);
            Assert.Equal("truck", source.Classes[9]);
            Assert.Equal((3, 32, 32), source.InputSize);
            var train = source.Get(Split.Train);
            Assert.Equal(10, train.Count);
            Assert.Equal(new long[] { 0, 1, 1, 2, 2, 3, 3, 4, 4, 5 }, train.Labels.data<long>().ToArray());
            // Record 1 of data_batch_2 (f = 1): pixel i = (31 + 1 + i) % 256; green channel starts at i = 1024.
            Assert.Equal((byte)((31 + 1 + 1024 + 5) % 256), train.Images[3, 1, 0, 5].item<byte>());
            Assert.Equal(2, source.Get(Split.Val).Count);
        }
    }

    [Fact]
    public void Reads_cifar100_fine_and_coarse_labels()
    {
        using var dir = new TempDir();
        string folder = dir.Combine("cifar-100-binary");
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "train.bin"), [.. Record(0, 0, [3, 42]), .. Record(0, 1, [19, 99])]);
        File.WriteAllBytes(Path.Combine(folder, "test.bin"), [.. Record(1, 0, [0, 7])]);
        File.WriteAllLines(Path.Combine(folder, "fine_label_names.txt"), Enumerable.Range(0, 100).Select(i => $"fine{i}"));
        File.WriteAllLines(Path.Combine(folder, "coarse_label_names.txt"), Enumerable.Range(0, 20).Select(i => $"coarse{i}"));
        using var fine = (InMemoryDataSource)DataSpec.Open($"cifar100:{dir.Path}");
        using var coarse = (InMemoryDataSource)DataSpec.Open($"cifar100-coarse:{dir.Path}");
        Assert.Equal(100, fine.Classes.Count);
        Assert.Equal(new long[] { 42, 99 }, fine.Get(Split.Train).Labels.data<long>().ToArray());
        Assert.Equal(new long[] { 3, 19 }, coarse.Get(Split.Train).Labels.data<long>().ToArray());
        Assert.Equal((byte)((1 + 0) % 256), fine.Get(Split.Train).Images[1, 0, 0, 0].item<byte>());
    }

    [Fact]
    public void Truncated_or_missing_files_give_one_clear_error()
    {
        using var dir = new TempDir();
        string folder = WriteCifar10(dir.Path);
        string batch3 = Path.Combine(folder, "data_batch_3.bin");
        File.WriteAllBytes(batch3, File.ReadAllBytes(batch3)[..5000]);
        using (var source = (InMemoryDataSource)DataSpec.Open($"cifar10:{dir.Path}"))
        {
            var e = Assert.Throws<ResNetSharpException>(() => source.Get(Split.Train));
            Assert.Contains("data_batch_3.bin' has 5000 bytes", e.Message);
        }
        File.Delete(batch3);
        using (var source = (InMemoryDataSource)DataSpec.Open($"cifar10:{dir.Path}"))
            Assert.Contains("missing CIFAR file", Assert.Throws<ResNetSharpException>(() => source.Get(Split.Train)).Message);
        Assert.Contains("no cifar10 data", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"cifar10:{dir.Combine("nowhere")}")).Message);
        Assert.Contains("needs a folder", Assert.Throws<ResNetSharpException>(() => DataSpec.Open("cifar10")).Message);
    }

    [Fact]
    public void Download_fetches_checks_and_extracts_an_archive_from_a_loopback_server()
    {
        using var dir = new TempDir();
        WriteCifar10(dir.Combine("source"));
        var (bytes, md5) = TestArchives.TarGz(dir.Combine("source"));
        using var server = new LoopbackServer(("cifar-10-binary.tar.gz", bytes));
        string target = dir.Combine("data");

        var wrong = Cifar.Cifar10 with { ArchiveMd5 = "0123456789abcdef0123456789abcdef" };
        var e = Assert.Throws<ResNetSharpException>(() => Cifar.Open(wrong, target, download: true, baseUrl: server.Url));
        Assert.Contains($"MD5 {md5}, expected 0123456789abcdef0123456789abcdef", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(target));

        using var source = Cifar.Open(Cifar.Cifar10 with { ArchiveMd5 = md5 }, target, download: true, baseUrl: server.Url);
        Assert.Equal(10, source.Get(Split.Train).Count);
        Assert.Equal(["cifar-10-batches-bin"], Directory.EnumerateFileSystemEntries(target).Select(Path.GetFileName));
        Assert.Equal(2, server.Requests);
    }
}
