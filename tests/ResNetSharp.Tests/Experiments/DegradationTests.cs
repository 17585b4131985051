using System.Text.Json.Nodes;
using ResNetSharp.Experiments;
using ResNetSharp.Reports;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Experiments;

public class DegradationTests
{
    [Fact]
    public void Trains_each_plain_and_residual_pair_and_reports_per_epoch_errors()
    {
        using var temp = new TempDir();
        var dir = temp.Path;
        var options = new DegradationOptions
        {
            Depths = [8], Epochs = 2, BatchSize = 16, SyntheticTrainCount = 64, SyntheticValCount = 32,
            Schedule = ScheduleKind.Cosine, WarmupEpochs = 0.5, Device = "cpu", OutDir = dir,
        };
        var epochs = new List<string>();
        var lrs = new List<double>();
        var result = Degradation.Run(options, (name, m) =>
        {
            epochs.Add($"{name}:{m.Epoch}");
            lrs.Add(m.Lr);
        });
        DegradationReport.SavePlot(result, Path.Combine(dir, "degradation.png"));
        ExperimentFiles.WriteJson(Path.Combine(dir, "degradation.json"), DegradationReport.ToJson(result));

        Assert.Equal(["plain8:1", "plain8:2", "resnet8:1", "resnet8:2"], epochs);
        var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "degradation.json")))!;
        Assert.Equal("synthetic", json["settings"]!["data"]!.GetValue<string>());
        Assert.Equal("cosine", json["settings"]!["schedule"]!.GetValue<string>());
        Assert.Equal(0.5, json["settings"]!["warmup_epochs"]!.GetValue<double>());
        // Cosine after warmup: below the peak 0.1 from the first epoch on (multistep would hold 0.1), falling, same for both nets.
        Assert.InRange(lrs[0], 0.05, 0.0999);
        Assert.True(lrs[1] < lrs[0]);
        Assert.Equal(lrs.Take(2), lrs.Skip(2));
        var runs = json["runs"]!.AsArray();
        Assert.Equal(["plain8", "resnet8"], runs.Select(r => r!["name"]!.GetValue<string>()));
        Assert.Equal([false, true], runs.Select(r => r!["residual"]!.GetValue<bool>()));
        foreach (var run in runs)
        {
            var train = run!["train_error"]!.AsArray().Select(e => e!.GetValue<double>()).ToList();
            var test = run["test_error"]!.AsArray().Select(e => e!.GetValue<double>()).ToList();
            Assert.Equal(2, train.Count);
            Assert.Equal(2, test.Count);
            Assert.All(train.Concat(test), e => Assert.InRange(e, 0, 1));
            Assert.Equal(train[^1], run["final_train_error"]!.GetValue<double>());
            Assert.Equal(test[^1], run["final_test_error"]!.GetValue<double>());
            // 32 validation images: every test error is a multiple of 1/32.
            Assert.All(test, e => Assert.Equal(0, e * 32 - Math.Round(e * 32), 6));
        }
        Assert.True(File.Exists(Path.Combine(dir, "degradation.png")));
    }

    [Fact]
    public void Quick_is_a_baseline_that_explicit_flags_override()
    {
        using var temp = new TempDir();
        var dir = temp.Path;
        var r = Cli.CliTests.Run("experiment", "degradation", "--quick", "--depths", "8", "--epochs", "1", "--device", "cpu", "--out", dir, "--json");
        Assert.True(r.Code == 0, r.Err);
        var settings = JsonNode.Parse(r.Out)!["settings"]!;
        Assert.Equal(1, settings["epochs"]!.GetValue<int>());          // given
        Assert.Equal(0.01, settings["lr"]!.GetValue<double>());        // --quick's
        Assert.Equal("cosine", settings["schedule"]!.GetValue<string>());
        Assert.Equal(2500, settings["train_images"]!.GetValue<int>());
        Assert.Equal(["plain8", "resnet8"], JsonNode.Parse(r.Out)!["runs"]!.AsArray().Select(x => x!["name"]!.GetValue<string>()));
    }

    [Fact]
    public void Bad_depths_and_quick_on_other_data_are_clear_errors()
    {
        Assert.Contains("6n+2", Assert.Throws<ResNetSharpException>(() => new DegradationOptions { Depths = [21] }.Validate()).Message);
        Assert.Contains("the quick setting subsamples the synthetic data only", Assert.Throws<ResNetSharpException>(() => (DegradationOptions.Quick with { Data = "cifar10:/x" }).Validate()).Message);
    }
}
