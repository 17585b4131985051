using ResNetSharp.Data.Check;

namespace ResNetSharp.Tests.Data;

public class DataCheckTests
{
    [Fact]
    public void NamesCorruptTruncatedDuplicateFilesAndEmptyClasses()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 2; i++)
            foreach (var split in new[] { "train", "val" })
                foreach (var c in new[] { "cat", "dog" })
                    PhotoImages.Write(dir.Combine(split, c, $"{i}.jpg"), 60, 40, seed: i + (split == "val" ? 10 : 0) + (c == "dog" ? 20 : 0));
        Assert.True(DataCheck.Run($"folder:{dir.Path}").Clean);

        string corrupt = dir.Combine("train", "cat", "corrupt.jpg"), truncated = dir.Combine("train", "dog", "cut.jpg");
        File.WriteAllText(corrupt, "not an image");
        PhotoImages.Write(truncated, 300, 200, seed: 99);
        var bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        string copy = dir.Combine("val", "dog", "copy.jpg");
        File.Copy(dir.Combine("train", "cat", "0.jpg"), copy);
        Directory.CreateDirectory(dir.Combine("train", "bird"));
        Directory.CreateDirectory(dir.Combine("val", "bird"));

        var report = DataCheck.Run($"folder:{dir.Path}");
        Assert.False(report.Clean);
        Assert.Contains(report.Problems, p => p.StartsWith(corrupt) && p.Contains("not a decodable image"));
        Assert.Contains(report.Problems, p => p.StartsWith(truncated) && p.Contains("truncated"));
        Assert.Contains(report.Problems, p => p.Contains("across train and val") && p.Contains(copy) && p.Contains(dir.Combine("train", "cat", "0.jpg")));
        Assert.Contains("train/bird: empty class (no images); add images or remove the folder.", report.Problems);
        Assert.Contains("val/bird: empty class (no images); add images or remove the folder.", report.Problems);
        Assert.Equal(5, report.Problems.Count);
        Assert.Equal(3, report.ImagesPerClass["val"]["dog"]);
        Assert.Equal((60, 40), report.Smallest);
    }

    [Fact]
    public void ChecksTarShardsOneAtATime()
    {
        string fixtures = Path.Combine(AppContext.BaseDirectory, "Data", "Fixtures", "wds");
        var clean = DataCheck.Run($"wds:{fixtures}");
        Assert.True(clean.Clean, string.Join("; ", clean.Problems));
        Assert.Equal(3, clean.ImagesPerClass["train"]["cat"]);   // labels 0 1 0 1 1 0
        Assert.Equal((20, 16), clean.Largest);

        using var dir = new TempDir();
        foreach (var file in new[] { "classes.txt", "train-000000.tar", "train-000001.tar" })
            File.Copy(Path.Combine(fixtures, file), dir.Combine(file));
        File.Copy(Path.Combine(fixtures, "train-000000.tar"), dir.Combine("train-000002.tar"));
        File.WriteAllBytes(dir.Combine("val-000000.tar"), File.ReadAllBytes(Path.Combine(fixtures, "train-000001.tar"))[..900]);
        var report = DataCheck.Run($"wds:{dir.Path}");
        Assert.Contains(report.Problems, p => p.StartsWith($"shard '{dir.Combine("val-000000.tar")}' is truncated"));
        Assert.Contains($"duplicate images (same bytes, within train): {dir.Combine("train-000000.tar")}:s0000.jpg, {dir.Combine("train-000002.tar")}:s0000.jpg; keep one.", report.Problems);
    }
}
