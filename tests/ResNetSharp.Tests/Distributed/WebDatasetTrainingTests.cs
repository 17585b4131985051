using System.Text.Json;
using ResNetSharp.Data.Sources;
using ResNetSharp.Runs;

namespace ResNetSharp.Tests.Distributed;

/// <summary>A 2-rank Open MPI run of <c>resnet train --distributed</c> on WebDataset shards.</summary>
public class WebDatasetTrainingTests
{
    [Fact]
    public void Two_ranks_train_an_epoch_on_wds_shards_in_lockstep_with_the_exact_step_count()
    {
        using var dir = new TempDir();
        MpiJob.WriteData(dir.Combine("folder"));
        // Shards of about 6 samples: 81 training samples, so rank ranges start and end inside shards.
        var shards = WebDatasetPack.Pack($"folder:{dir.Combine("folder")}", dir.Combine("wds"), 16 * 1024);
        Assert.True(shards.Count(s => Path.GetFileName(s).StartsWith("train-", StringComparison.Ordinal)) > 4);
        string outDir = dir.Combine("run");
        var r = MpiJob.Run(2,
        [
            "train", "--distributed", "--model", "small_resnet", "--data", $"wds:{dir.Combine("wds")}", "--image-size", "16", "--epochs", "1",
            "--batch-size", "8", "--lr", "0.05", "--schedule", "cosine", "--augment", "none", "--channels-last", "false", "--device", "cpu",
            "--seed", "7", "--out", outDir,
        ]);
        Assert.True(r.Code == 0, r.Out + r.Err);

        // 81 samples padded to 82: 41 per rank, 5 full batches of 8 each (the incomplete one dropped), so 5 steps.
        using var state = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, RunFiles.LastStateJson)));
        Assert.Equal(5, state.RootElement.GetProperty("global_step").GetInt64());
        var metrics = File.ReadAllLines(Path.Combine(outDir, RunFiles.MetricsJsonl)).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var epoch = Assert.Single(metrics);
        // The cosine rate at the last step (4 of 5): 0.05 / 2 · (cos(0.8π) + 1).
        Assert.Equal(0.025 * (Math.Cos(0.8 * Math.PI) + 1), epoch.GetProperty("lr").GetDouble(), 1e-12);
        // Training accuracy over 2 ranks × 5 batches × 8 images, validation over the 25 images each read once.
        double trained = epoch.GetProperty("train_acc").GetDouble() * 80, validated = epoch.GetProperty("val_top1").GetDouble() * 25;
        Assert.Equal(Math.Round(trained), trained, 1e-9);
        Assert.Equal(Math.Round(validated), validated, 1e-9);
        Assert.Single(r.Out.Split('\n'), l => l.Contains("best validation top-1", StringComparison.Ordinal));
    }
}
