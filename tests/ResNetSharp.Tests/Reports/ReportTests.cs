using System.Globalization;
using System.Text.Json;
using ResNetSharp.Data;
using ResNetSharp.Data.Sources;
using ResNetSharp.Data.Transforms;
using ResNetSharp.Runs;
using ResNetSharp.Tests.Training;
using ResNetSharp.Training;
using SkiaSharp;
using static ResNetSharp.Tests.Cli.CliTests;

namespace ResNetSharp.Tests.Reports;

/// <summary>
/// The tiny synthetic shapes as an ImageFolder of 16x16 PNGs, trained for one epoch twice through the CLI: with
/// <c>--lr auto --report</c> and with the default learning rate.
/// </summary>
public sealed class FolderRuns : IDisposable
{
    public TempDir Dir { get; } = new();
    public string Data => Dir.Combine("shapes");
    public string Auto => Dir.Combine("auto");
    public string Default => Dir.Combine("default");
    public (int Code, string Out, string Err) AutoRun { get; }
    public (int Code, string Out, string Err) DefaultRun { get; }

    public FolderRuns()
    {
        using var data = TinyData.Open(960, 100);
        foreach (var split in new[] { Split.Train, Split.Val })
        {
            var set = data.Get(split);
            for (int i = 0; i < set.Count; i++)
            {
                string dir = Path.Combine(Data, split == Split.Train ? "train" : "val", SyntheticShapes.Classes[(int)set.Labels[i].item<long>()]);
                Directory.CreateDirectory(dir);
                using var bitmap = ImageTransforms.FromChw(set.Images[i]);
                using var file = File.Create(Path.Combine(dir, $"img{i:D3}.png"));
                bitmap.Encode(file, SKEncodedImageFormat.Png, 100);
            }
        }
        string[] common = ["train", "--data", $"folder:{Data}", "--model", "small_resnet", "--epochs", "1", "--batch-size", "32", "--augment", "none", "--device", "cpu", "--seed", "1"];
        AutoRun = Run([.. common, "--lr", "auto", "--report", "--out", Auto]);
        DefaultRun = Run([.. common, "--out", Default]);
    }

    public void Dispose() => Dir.Dispose();
}

public class ReportTests(FolderRuns runs, Xunit.Abstractions.ITestOutputHelper log) : IClassFixture<FolderRuns>
{
    private static double BestTop1(string run) =>
        File.ReadAllLines(Path.Combine(run, RunFiles.MetricsJsonl)).Max(l => JsonDocument.Parse(l).RootElement.GetProperty("val_top1").GetDouble());

    [Fact]
    public void Train_lr_auto_uses_the_range_tests_suggestion_and_beats_or_equals_the_default_rate()
    {
        Assert.True(runs.AutoRun.Code == 0, runs.AutoRun.Err);
        Assert.True(runs.DefaultRun.Code == 0, runs.DefaultRun.Err);
        using var found = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs.Auto, LrFindResult.Json)));
        double suggested = found.RootElement.GetProperty("suggested_lr").GetDouble();
        Assert.Equal("steep", found.RootElement.GetProperty("method").GetString());   // --lr auto's rule
        Assert.Equal(100, found.RootElement.GetProperty("lrs").GetArrayLength());
        Assert.True(File.Exists(Path.Combine(runs.Auto, LrFindResult.Png)));
        using var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(runs.Auto, RunFiles.Config)));
        Assert.Equal(suggested, config.RootElement.GetProperty("options").GetProperty("lr").GetDouble());
        double auto = BestTop1(runs.Auto), fixedLr = BestTop1(runs.Default);
        log.WriteLine($"lr auto ({suggested:G3}): {auto:P1}; default lr 0.2: {fixedLr:P1}");
        Assert.True(auto >= fixedLr, $"lr auto ({suggested:G3}): {auto:P1}; default lr 0.2: {fixedLr:P1}");
    }

    [Fact]
    public async Task The_report_renders_offline_in_chromium_with_the_runs_numbers()
    {
        Assert.True(runs.AutoRun.Code == 0, runs.AutoRun.Err);
        string report = Path.Combine(runs.Auto, "report.html");
        Assert.Contains(report, runs.AutoRun.Out);
        var eval = Run("eval", "--checkpoint", Path.Combine(runs.Auto, RunFiles.Best), "--data", $"folder:{runs.Data}", "--device", "cpu", "--json");
        Assert.True(eval.Code == 0, eval.Err);
        using var evalJson = JsonDocument.Parse(eval.Out);
        var confusion = evalJson.RootElement.GetProperty("confusion").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetInt64().ToString(CultureInfo.InvariantCulture)).ToArray()).ToArray();

        await using var chromium = await HeadlessChromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync();
        var requests = new List<string>();
        page.Request += (_, r) => requests.Add(r.Url);
        await page.GotoAsync(new Uri(report).AbsoluteUri);
        Assert.All(requests, url => Assert.True(url.StartsWith("file:") || url.StartsWith("data:"), url));
        Assert.Equal(BestTop1(runs.Auto).ToString("P2", CultureInfo.InvariantCulture), await page.InnerTextAsync("#best-top1"));
        Assert.Equal(evalJson.RootElement.GetProperty("top1").GetDouble().ToString("P2", CultureInfo.InvariantCulture), await page.InnerTextAsync("#eval-top1"));
        var cells = await page.EvalOnSelectorAllAsync<string[][]>("#confusion-raw tr:not(:first-child)", "rows => rows.map(r => [...r.querySelectorAll('td')].map(c => c.textContent))");
        Assert.Equal(confusion, cells);
        // Every image (curves, LR finder, Grad-CAM gallery) decoded; the gallery names the folder's files.
        Assert.True(await page.EvaluateAsync<bool>("[...document.images].every(i => i.complete && i.naturalWidth > 0)"));
        Assert.True(await page.EvaluateAsync<int>("document.images.length") >= 3 + 12);
        Assert.Matches(@"img\d{3}\.png", await page.InnerTextAsync(".gallery"));
        // The reproducing command parses with train's flags (no quoting is needed for this run's paths).
        string command = await page.InnerTextAsync("#command");
        Assert.StartsWith("resnet train --model small_resnet", command);
        Assert.Empty(Program.Root().Parse(command.Split(' ')[1..]).Errors);
        Assert.Contains($"--lr {JsonDocument.Parse(File.ReadAllText(Path.Combine(runs.Auto, LrFindResult.Json))).RootElement.GetProperty("suggested_lr").GetDouble().ToString("R", CultureInfo.InvariantCulture)} ", command);
    }

    [Fact]
    public void A_run_directory_without_metrics_is_one_clear_error()
    {
        string empty = runs.Dir.Combine("empty");
        Directory.CreateDirectory(empty);
        var r = Run("report", empty);
        Assert.Equal(2, r.Code);
        Assert.Contains($"'{empty}' has no metrics.jsonl", Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        var missing = Run("report", runs.Dir.Combine("nope"));
        Assert.Contains("does not exist", missing.Err);
    }

    [Theory]
    [InlineData("unknown --lr auto rule 'fast'", "--lr", "auto=fast")]
    [InlineData("--lr must be a positive number or auto", "--lr", "fast")]
    [InlineData("--lr auto cannot be used with --resume", "--lr", "auto", "--resume", "runs/x")]
    public void Bad_lr_values_are_one_clear_error(string message, params string[] args)
    {
        var r = Run(["train", .. args]);
        Assert.Equal(2, r.Code);
        Assert.Contains(message, Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
