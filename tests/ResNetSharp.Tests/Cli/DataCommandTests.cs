using System.Text.Json;
using ResNetSharp.Tests.Data;

namespace ResNetSharp.Tests.Cli;

public class DataCommandTests
{
    private static string Folder(TempDir dir)
    {
        for (int i = 0; i < 4; i++)
            foreach (var split in new[] { "train", "val" })
                PhotoImages.Write(dir.Combine(split, i % 2 == 0 ? "a" : "b", $"{i}.jpg"), 90, 70, seed: i + (split == "val" ? 50 : 0));
        return $"folder:{dir.Path}";
    }

    [Fact]
    public void DataCheckExitsZeroWhenCleanAndOneNamingEachProblem()
    {
        using var dir = new TempDir();
        string spec = Folder(dir);
        var clean = CliTests.Run("data", "check", spec);
        Assert.Equal(0, clean.Code);
        Assert.Contains("no problems found", clean.Out);
        string bad = dir.Combine("train", "a", "bad.jpg");
        File.WriteAllBytes(bad, [0xFF, 0xD8, 0xFF]);
        var found = CliTests.Run("data", "check", spec);
        Assert.Equal(1, found.Code);
        Assert.Contains($"{bad}: ", found.Out);
        // A decompression bomb is named with the flag that raises the limit, and nothing is decoded.
        File.Delete(bad);
        string bomb = dir.Combine("val", "b", "bomb.png");
        File.WriteAllBytes(bomb, Serving.PixelBomb.Png(20_000, 20_000));
        var over = CliTests.Run("data", "check", spec);
        Assert.Equal(1, over.Code);
        Assert.Contains($"{bomb}: claims 20000x20000 = 400 M pixels, over the limit of 179 M that guards against decompression bombs: resize it, or raise the limit with --max-pixels N", over.Out);
    }

    [Fact]
    public void BenchDataModeReportsTheLoaderAloneAndBadFlagsAreOneError()
    {
        using var dir = new TempDir();
        string spec = Folder(dir);
        var r = CliTests.Run("bench", "--mode", "data", "--data", spec, "--batch-size", "2", "--image-size", "32", "--workers", "2", "--epochs", "2",
            "--device", "cpu", "--json");
        Assert.Equal(0, r.Code);
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(8, json.RootElement.GetProperty("images").GetInt32());   // 2 epochs of 4 training images
        Assert.True(json.RootElement.GetProperty("data_images_per_sec").GetDouble() > 0);
        Assert.Equal(2, json.RootElement.GetProperty("workers").GetInt32());
        Assert.Equal("fast", json.RootElement.GetProperty("decode").GetString());
        var e = CliTests.Run("bench", "--mode", "data", "--data", spec, "--decode", "quick");
        Assert.Equal(2, e.Code);
        Assert.Contains("error: unknown decode mode 'quick'", e.Err);
        Assert.Equal(2, CliTests.Run("bench", "--mode", "data", "--data", spec, "--workers", "0").Code);
    }
}
