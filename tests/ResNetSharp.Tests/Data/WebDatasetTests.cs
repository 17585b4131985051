using System.Diagnostics;
using System.Formats.Tar;
using System.Text;
using ResNetSharp.Data;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Sources;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

public class WebDatasetTests
{
    /// <summary>Shards written by Python's tarfile (PAX and GNU formats) by Data/Fixtures/make_wds_fixtures.py.</summary>
    private static readonly string PythonShards = Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "wds");

    /// <summary>Every (red level, label) of one epoch of batches of 1: the fixture's sample i has red 40·i.</summary>
    private static List<(int Red, long Label)> Samples(IDataLoader loader, DataSource source, int epoch) =>
        [.. loader.Epoch(epoch).Select(b =>
        {
            using (b)
            {
                float red = b.Images[0, 0, 4, 4].item<float>() * source.Std[0] + source.Mean[0];
                return ((int)Math.Round(red * 255 / 40), b.Labels[0].item<long>());
            }
        })];

    [Fact]
    public void ReadsPythonTarfileShardsEachSampleOncePerEpochAcrossWorkersReproducibly()
    {
        using var source = DataSpec.Open($"wds:{PythonShards}", imageSize: 8, loader: new LoaderSettings { Workers = 2 });
        Assert.Equal(["cat", "dog"], source.Classes);
        using var loader = source.CreateLoader(Split.Train, 1, CPU, 5, Augmentation.None);
        Assert.Equal(6, loader.Count);
        var epoch3 = Samples(loader, source, 3);
        // Sample i (0..5) once each, with its label from the .cls member: the PNG, the .json extra and the GNU long name included.
        Assert.Equal([(0, 0L), (1, 1L), (2, 0L), (3, 1L), (4, 1L), (5, 0L)], epoch3.Order());
        Assert.Equal(epoch3, Samples(loader, source, 3));            // reproducible from (seed, epoch)
        Assert.NotEqual(epoch3, Samples(loader, source, 4));         // another epoch, another order
    }

    [Fact]
    public void ReadsGnuTarShardsAndOurOwnPacking()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 4; i++)
        {
            TestImages.Write(dir.Combine("members", $"k{i}.jpg"), 12, 10, (_, _) => new SkiaSharp.SKColor((byte)(40 * i), 0, 100));
            File.WriteAllText(dir.Combine("members", $"k{i}.cls"), $"{i % 2}\n");
        }
        Directory.CreateDirectory(dir.Combine("gnu"));
        File.WriteAllText(dir.Combine("gnu", "classes.txt"), "a\nb\n");
        using (var tar = Process.Start(new ProcessStartInfo("tar", ["--format=gnu", "--sort=name", "-cf", dir.Combine("gnu", "val-000000.tar"), "-C", dir.Combine("members"), "."])!))
        {
            tar!.WaitForExit();
            Assert.Equal(0, tar.ExitCode);
        }
        using (var source = DataSpec.Open($"wds:{dir.Combine("gnu")}", imageSize: 8))
        using (var loader = source.CreateLoader(Split.Val, 1, CPU, 0, Augmentation.None))
            Assert.Equal([(0, 0L), (1, 1L), (2, 0L), (3, 1L)], Samples(loader, source, 0).Order());

        // An ImageFolder packed into shards of about two samples reads back with the same images per class.
        for (int i = 0; i < 5; i++)
            foreach (var split in new[] { "train", "val" })
                TestImages.Write(dir.Combine("folder", split, i < 2 ? "a" : "b", $"{i}.jpg"), 12, 10, TestImages.Gradient);
        var shards = WebDatasetPack.Pack($"folder:{dir.Combine("folder")}", dir.Combine("packed"), 2 * 1024 + 2 * (new FileInfo(dir.Combine("folder", "val", "a", "0.jpg")).Length + 2048) - 1);
        Assert.Equal(["train-000000.tar", "train-000001.tar", "train-000002.tar", "val-000000.tar", "val-000001.tar", "val-000002.tar"],
            shards.Select(Path.GetFileName));
        using (var packed = DataSpec.Open($"wds:{dir.Combine("packed")}", imageSize: 8))
        using (var loader = packed.CreateLoader(Split.Val, 2, CPU, 0, Augmentation.None))
            Assert.Equal([0L, 0L, 1L, 1L, 1L], loader.Epoch(0).SelectMany(b => { using (b) return b.Labels.data<long>().ToArray(); }).Order());
    }

    private static void WriteShard(string path, params (string Name, byte[] Data)[] members)
    {
        using var stream = File.Create(path);
        using var tar = new TarWriter(stream, TarEntryFormat.Ustar);
        foreach (var (name, data) in members)
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
    }

    [Fact]
    public void AMissingClsANonImageMemberAndATruncatedShardAreErrorsNamingShardAndMember()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.Combine("classes.txt"), "cat\ndog\n");
        var jpg = Jpeg(dir);
        string missing = dir.Combine("train-000000.tar");
        WriteShard(missing, ("a.jpg", jpg), ("a.cls", "0"u8.ToArray()), ("b.jpg", jpg));
        Assert.Contains($"shard '{missing}': sample 'b' (b.jpg) has no 'b.cls'", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"wds:{dir.Path}", imageSize: 8)
            .CreateLoader(Split.Train, 1, CPU, 0, Augmentation.None)).Message);

        WriteShard(missing, ("a.jpg", jpg), ("a.cls", "0"u8.ToArray()), ("b.jpg", Encoding.ASCII.GetBytes("not a JPEG")), ("b.cls", "1"u8.ToArray()));
        using (var source = DataSpec.Open($"wds:{dir.Path}", imageSize: 8))
        using (var loader = source.CreateLoader(Split.Train, 1, CPU, 0, Augmentation.None))
            Assert.Contains($"'{missing}:b.jpg'", Assert.Throws<ResNetSharpException>(() => loader.Epoch(0).ToList().ForEach(b => b.Dispose())).Message);

        var shard = File.ReadAllBytes(Path.Combine(PythonShards, "train-000001.tar"));
        File.WriteAllBytes(missing, shard[..900]);   // cut inside the first image's data
        var e = Assert.Throws<ResNetSharpException>(() =>
        {
            using var source = DataSpec.Open($"wds:{dir.Path}", imageSize: 8);
            using var loader = source.CreateLoader(Split.Train, 1, CPU, 0, Augmentation.None);
            loader.Epoch(0).ToList().ForEach(b => b.Dispose());
        });
        Assert.Contains($"shard '{missing}' is truncated", e.Message);
        Assert.Contains("s0003.jpg", e.Message);
    }

    private static byte[] Jpeg(TempDir dir)
    {
        string path = dir.Combine("one.jpg");
        TestImages.Write(path, 12, 10, TestImages.Gradient);
        return File.ReadAllBytes(path);
    }
}
