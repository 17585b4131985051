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
}
