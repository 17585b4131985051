using System.IO.Compression;
using System.Security.Cryptography;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Tests.Data;

public class MnistTests
{
    [Fact]
    public void Reads_the_family_from_the_folder_raw_or_torchvision_layout_plain_or_gzipped()
    {
        using var dir = new TempDir();
        IdxFiles.WriteMnist(dir.Combine("plain"), gzip: false);
        IdxFiles.WriteMnist(dir.Combine("tv", "FashionMNIST", "raw"), gzip: true);
        IdxFiles.WriteMnist(dir.Combine("k", "raw"), gzip: true);
        foreach (var spec in new[] { $"mnist:{dir.Combine("plain")}", $"fashion-mnist:{dir.Combine("tv")}", $"kmnist:{dir.Combine("k")}" })
        {
            using var source = (InMemoryDataSource)DataSpec.Open(spec);
            Assert.Equal((1, 28, 28), source.InputSize);
            Assert.Equal(10, source.Classes.Count);
            var train = source.Get(Split.Train);
            Assert.Equal([0, 1, 2, 3, 4, 5], train.Labels.data<long>().ToArray());
            Assert.Equal((byte)((5 + 3 * 7 + 2) % 256), train.Images[5, 0, 7, 2].item<byte>());   // row-major: pixel (y, x)
            Assert.Equal(4, source.Get(Split.Val).Count);
        }
        using var fashion = DataSpec.Open($"fashion-mnist:{dir.Combine("tv")}");
        Assert.Equal(("Ankle boot", true), (fashion.Classes[9], fashion.AllowFlip));
        Assert.False(DataSpec.Open($"mnist:{dir.Combine("plain")}").AllowFlip);
        Assert.Contains("28x28 images", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"mnist:{dir.Combine("plain")}", imageSize: 32)).Message);
    }

    [Fact]
    public void Emnist_splits_use_their_file_names_and_torchvision_classes()
    {
        using var dir = new TempDir();
        IdxFiles.WriteMnist(dir.Combine("EMNIST", "raw"), gzip: true, classes: 27, prefix: "emnist-letters-", testName: "test");
        using var letters = (InMemoryDataSource)DataSpec.Open($"emnist-letters:{dir.Path}");
        Assert.Equal(27, letters.Classes.Count);
        Assert.Equal(("N/A", "a", "z"), (letters.Classes[0], letters.Classes[1], letters.Classes[26]));
        Assert.Equal(6, letters.Get(Split.Train).Count);
        Assert.Equal(62, Mnist.Emnist("byclass").Classes.Count);
        Assert.Equal(47, Mnist.Emnist("balanced").Classes.Count);
        Assert.Contains("no emnist-digits data", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"emnist-digits:{dir.Path}")).Message);
        Assert.Contains("use one of: emnist-byclass", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"emnist-nope:{dir.Path}")).Message);
    }

    [Fact]
    public void Mismatched_or_out_of_range_labels_are_one_clear_error()
    {
        using var dir = new TempDir();
        IdxFiles.WriteMnist(dir.Path, gzip: false, train: 12, classes: 12);
        using (var source = DataSpec.Open($"mnist:{dir.Path}") as InMemoryDataSource)
            Assert.Contains("label 10 is 10 but there are 10 classes", Assert.Throws<ResNetSharpException>(() => source!.Get(Split.Train)).Message);
        File.Copy(dir.Combine("t10k-labels-idx1-ubyte"), dir.Combine("train-labels-idx1-ubyte"), overwrite: true);
        using (var source = DataSpec.Open($"mnist:{dir.Path}") as InMemoryDataSource)
            Assert.Contains("has 4 labels but", Assert.Throws<ResNetSharpException>(() => source!.Get(Split.Train)).Message);
        File.WriteAllBytes(dir.Combine("train-images-idx3-ubyte"), IdxFiles.Bytes(Idx.ElementType.UInt8, [0, 28, 28], []));
        using (var source = DataSpec.Open($"mnist:{dir.Path}") as InMemoryDataSource)
            Assert.Contains("holds no images", Assert.Throws<ResNetSharpException>(() => source!.Get(Split.Train)).Message);
    }

    [Fact]
    public void Without_a_folder_it_looks_in_the_cache_then_the_system_folder()
    {
        using var dir = new TempDir();
        IdxFiles.WriteMnist(dir.Combine("debian"), gzip: true);
        var variant = Mnist.FashionMnist with { SystemFolders = [dir.Combine("debian")] };
        using (var system = Mnist.Open(variant, cacheRoot: dir.Combine("cache")))
            Assert.Equal(6, system.Get(Split.Train).Count);
        IdxFiles.WriteMnist(dir.Combine("cache", "fashion-mnist"), gzip: false, train: 2);
        using (var cached = Mnist.Open(variant, cacheRoot: dir.Combine("cache")))
            Assert.Equal(2, cached.Get(Split.Train).Count);
        var e = Assert.Throws<ResNetSharpException>(() => Mnist.Open(variant with { SystemFolders = [dir.Combine("none")] }, cacheRoot: dir.Combine("none")));
        Assert.Contains("pass TrainOptions.Download or install Debian's dataset-fashion-mnist package", e.Message);
    }

    /// <summary>The four gzipped files of a tiny MNIST and a variant whose MD5s are theirs.</summary>
    private static ((string, byte[])[] Files, Mnist.Variant Variant) Served(TempDir dir)
    {
        IdxFiles.WriteMnist(dir.Combine("src"), gzip: true);
        var files = Directory.GetFiles(dir.Combine("src")).Select(f => (Path.GetFileName(f), File.ReadAllBytes(f))).ToArray();
        return (files, Mnist.MnistDigits with { Md5s = files.ToDictionary(f => f.Item1, f => Convert.ToHexStringLower(MD5.HashData(f.Item2))) });
    }

    [Fact]
    public void Download_falls_through_the_mirrors_and_checks_each_md5()
    {
        using var dir = new TempDir();
        var (files, variant) = Served(dir);
        using var empty = new LoopbackServer();
        using var mirror = new LoopbackServer(files);
        var log = new List<string>();
        using var source = Mnist.Open(variant, dir.Combine("data"), download: true, mirrors: [empty.Url, mirror.Url], downloading: log.Add);
        Assert.Equal(6, source.Get(Split.Train).Count);
        Assert.Equal((4, 4), (empty.Requests, mirror.Requests));
        Assert.Equal(8, log.Count);
        Assert.Equal(files.Select(f => f.Item1).Order(), Directory.GetFiles(dir.Combine("data", "MNIST", "raw")).Select(Path.GetFileName).Order());
        using var again = Mnist.Open(variant, dir.Combine("data"), download: true, mirrors: [empty.Url, mirror.Url]);
        Assert.Equal((4, 4), (empty.Requests, mirror.Requests));   // present files are not fetched again
    }

    [Fact]
    public void A_wrong_checksum_or_truncated_download_is_one_error_naming_the_file_and_the_fix()
    {
        using var dir = new TempDir();
        var (files, variant) = Served(dir);
        var truncated = files.Select(f => (f.Item1, f.Item2[..(f.Item2.Length / 2)])).ToArray();
        using var bad = new LoopbackServer(truncated);
        using var worse = new LoopbackServer();
        var e = Assert.Throws<ResNetSharpException>(() => Mnist.Open(variant, dir.Combine("data"), download: true, mirrors: [bad.Url, worse.Url]));
        string first = variant.Md5s.Keys.First();
        Assert.Contains($"could not download '{first}'", e.Message);
        Assert.Contains($"{bad.Url}{first}: MD5 ", e.Message);
        Assert.Contains($"expected {variant.Md5s[first]}", e.Message);
        Assert.Contains($"{worse.Url}{first}: ", e.Message);
        Assert.Contains("404", e.Message);
        Assert.Contains("download the file by hand", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Combine("data"), "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Emnist_download_unpacks_the_gzip_folder_of_the_zip()
    {
        using var dir = new TempDir();
        IdxFiles.WriteMnist(dir.Combine("zip", "gzip"), gzip: true, prefix: "emnist-digits-", testName: "test");
        string zip = dir.Combine("gzip.zip");
        ZipFile.CreateFromDirectory(dir.Combine("zip"), zip);
        byte[] bytes = File.ReadAllBytes(zip);
        using var server = new LoopbackServer(("gzip.zip", bytes));
        var variant = Mnist.Emnist("digits") with { Archive = ("gzip.zip", Convert.ToHexStringLower(MD5.HashData(bytes))) };
        using var source = Mnist.Open(variant, dir.Combine("data"), download: true, mirrors: [server.Url]);
        Assert.Equal(4, source.Get(Split.Val).Count);
        Assert.Equal(4, Directory.GetFiles(dir.Combine("data", "EMNIST", "raw")).Length);
    }
}
