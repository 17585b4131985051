using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Data.Check;
using ResNetSharp.Data.Loading;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Data;

/// <summary><c>--on-bad-image</c> on folders of small images, which are decoded once into memory.</summary>
public class SmallFolderBadImageTests
{
    private const int Side = 32;

    /// <summary>
    /// A clean folder (photo-like 32x32 JPEGs, 3 per class in train and 2 in val, each distinct) and a copy of it
    /// with bad files: in train one that is not an image (sorting first, so the size detection meets it) and a
    /// truncated JPEG, in val an image of another size (in train, among the first 32 files, it would make the
    /// folder stream). Returns the bad files.
    /// </summary>
    private static string[] WriteFolders(string clean, string dirty)
    {
        int seed = 0;
        foreach (var (split, count) in new[] { ("train", 3), ("val", 2) })
            foreach (var cls in new[] { "a", "b" })
                for (int i = 0; i < count; i++)
                {
                    string file = Path.Combine(clean, split, cls, $"{i}.jpg");
                    PhotoImages.Write(file, Side, Side, seed++);
                    Directory.CreateDirectory(Path.Combine(dirty, split, cls));
                    File.Copy(file, Path.Combine(dirty, split, cls, $"{i}.jpg"));
                }
        string corrupt = Path.Combine(dirty, "train", "a", "0-corrupt.jpg");
        File.WriteAllText(corrupt, "not a JPEG");
        string truncated = Path.Combine(dirty, "train", "b", "1-truncated.jpg");
        PhotoImages.Write(truncated, Side, Side, seed++);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
        string wrongSize = Path.Combine(dirty, "val", "a", "1-wrong-size.jpg");
        PhotoImages.Write(wrongSize, Side, Side / 2, seed++);
        return [corrupt, truncated, wrongSize];
    }

    [Fact]
    public void Skip_leaves_bad_files_out_warns_once_and_counts_them_with_labels_aligned()
    {
        using var dir = new TempDir();
        string clean = dir.Combine("clean"), dirty = dir.Combine("dirty");
        var bad = WriteFolders(clean, dirty);
        // The truncated file really is cut short after a readable header (how the streaming decoder tells it apart).
        Assert.Contains("truncated", DataCheck.Inspect(File.ReadAllBytes(bad[1])).Error);

        var warnings = new List<string>();
        var skip = new LoaderSettings { OnBadImage = BadImagePolicy.Skip, Warn = warnings.Add };
        using var expected = (InMemoryDataSource)DataSpec.Open($"folder:{clean}");
        using var source = (InMemoryDataSource)DataSpec.Open($"folder:{dirty}", loader: skip);
        var want = expected.Get(Split.Train);
        var got = source.Get(Split.Train);
        Assert.Equal(6, got.Count);
        Assert.Equal(new long[] { 0, 0, 0, 1, 1, 1 }, got.Labels.data<long>().ToArray());
        Assert.Equal(want.Images.data<byte>().ToArray(), got.Images.data<byte>().ToArray());   // the clean folder's images, in its order
        Assert.Equal(2, got.BadImages);

        using var loader = source.CreateLoader(Split.Train, 2, CPU, seed: 0, Augmentation.None);
        for (int epoch = 0; epoch < 2; epoch++)
            Assert.Equal(6, loader.Epoch(epoch).Sum(b => { using (b) return b.Size; }));
        Assert.Equal(2, loader.BadImages);   // once per file, not per epoch
        using (var val = source.CreateLoader(Split.Val, 2, CPU, seed: 0, Augmentation.None))
        {
            Assert.Equal(4, val.Epoch(0).Sum(b => { using (b) return b.Size; }));
            Assert.Equal(1, val.BadImages);
        }
        Assert.Equal(expected.Get(Split.Val).Images.data<byte>().ToArray(), source.Get(Split.Val).Images.data<byte>().ToArray());
        Assert.Equal(expected.Get(Split.Val).Labels.data<long>().ToArray(), source.Get(Split.Val).Labels.data<long>().ToArray());
        Assert.Equal(3, warnings.Count);
        for (int i = 0; i < bad.Length; i++)
        {
            Assert.StartsWith("warning: skipping a bad image: ", warnings[i]);
            Assert.Contains($"'{bad[i]}'", warnings[i]);
        }
        Assert.Contains("is 32x16 but this small-image folder's images are 32x32", warnings[2]);
    }

    [Fact]
    public void Error_is_the_default_and_names_the_first_bad_file()
    {
        using var dir = new TempDir();
        string clean = dir.Combine("clean"), dirty = dir.Combine("dirty");
        var bad = WriteFolders(clean, dirty);
        // The unreadable file sorts first: the size detection stops on it.
        Assert.Contains($"'{bad[0]}'", Assert.Throws<ResNetSharpException>(() => DataSpec.Open($"folder:{dirty}")).Message);
        File.Delete(bad[0]);
        using (var source = (InMemoryDataSource)DataSpec.Open($"folder:{dirty}"))
        {
            var e = Assert.Throws<ResNetSharpException>(() => source.Get(Split.Train));
            Assert.Contains($"image '{bad[1]}' is truncated", e.Message);   // an error, not a half-grey image
        }
        File.Delete(bad[1]);
        using (var source = (InMemoryDataSource)DataSpec.Open($"folder:{dirty}"))
        {
            Assert.Equal(6, source.Get(Split.Train).Count);
            Assert.Contains($"'{bad[2]}' is 32x16", Assert.Throws<ResNetSharpException>(() => source.Get(Split.Val)).Message);
        }
    }

    [Fact]
    public void A_class_whose_images_are_all_bad_is_one_clear_error()
    {
        using var dir = new TempDir();
        WriteFolders(dir.Combine("clean"), dir.Combine("dirty"));
        string root = dir.Combine("clean");
        foreach (var file in Directory.GetFiles(Path.Combine(root, "val", "b")))
            File.WriteAllText(file, "not a JPEG");
        using var source = (InMemoryDataSource)DataSpec.Open($"folder:{root}", loader: new LoaderSettings { OnBadImage = BadImagePolicy.Skip, Warn = _ => { } });
        Assert.Equal(6, source.Get(Split.Train).Count);
        var e = Assert.Throws<ResNetSharpException>(() => source.Get(Split.Val));
        Assert.Contains($"every image of class 'b' in '{Path.Combine(root, "val", "b")}' is bad", e.Message);
    }

    [Fact]
    public void Train_and_eval_with_skip_report_the_bad_images()
    {
        using var dir = new TempDir();
        string clean = dir.Combine("clean"), dirty = dir.Combine("dirty");
        WriteFolders(clean, dirty);
        File.WriteAllText(Path.Combine(dirty, "val", "a", "9-corrupt.jpg"), "not a JPEG");
        string run = dir.Combine("run");
        var train = Cli.CliTests.Run("train", "--data", $"folder:{dirty}", "--model", "small_resnet", "--epochs", "2", "--batch-size", "4",
            "--device", "cpu", "--on-bad-image", "skip", "--out", run);
        Assert.True(train.Code == 0, train.Err);
        var epochs = File.ReadLines(Path.Combine(run, "metrics.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal([4, 4], epochs.Select(e => e.GetProperty("bad_images").GetInt64()));   // 2 in train + 2 in val, each once

        var eval = Cli.CliTests.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--data", $"folder:{dirty}",
            "--device", "cpu", "--on-bad-image", "skip", "--json");
        Assert.True(eval.Code == 0, eval.Err);
        var report = JsonDocument.Parse(eval.Out).RootElement;
        Assert.Equal(4, report.GetProperty("count").GetInt32());
        Assert.Equal(2, report.GetProperty("bad_images").GetInt64());
        var text = Cli.CliTests.Run("eval", "--checkpoint", Path.Combine(run, "best.safetensors"), "--data", $"folder:{dirty}",
            "--device", "cpu", "--on-bad-image", "skip");
        Assert.Contains("4 images", text.Out);
        Assert.Contains("2 bad images skipped", text.Out);
    }
}
