using System.Text.Json;
using ResNetSharp.Interop;
using ResNetSharp.Models;
using ResNetSharp.Reports;
using ResNetSharp.Runs;
using ResNetSharp.Training;

namespace ResNetSharp.Tests.Training;

/// <summary>One short real training run (small_resnet, 16x16 synthetic shapes), shared by the tests of its outputs.</summary>
public sealed class TinyRun : IDisposable
{
    public const int Epochs = 4;
    public TempDir Dir { get; } = new();
    public TrainResult Result { get; }
    public List<EpochMetrics> Epochs_ { get; } = [];
    public List<CheckpointSaved> Saved { get; } = [];
    public List<TrainProgress> Progress { get; } = [];
    public List<RunHistory> Histories { get; } = [];

    public TinyRun()
    {
        using var data = TinyData.Open(640, 200);
        var trainer = new Trainer(Options(Dir.Path), data: data);
        trainer.EpochEnd += Epochs_.Add;
        trainer.CheckpointSaved += Saved.Add;
        trainer.Progress += Progress.Add;
        trainer.HistoryWritten += Histories.Add;
        CurvesPlot.DrawEachEpoch(trainer);
        Result = trainer.Run();
    }

    public static TrainOptions Options(string dir) => new()
    {
        Model = "small_resnet", Epochs = Epochs, BatchSize = 32, Lr = 0.1, Device = "cpu", Seed = 1, OutDir = dir, Augment = "none",
        ProgressEvery = 10,
    };

    public void Dispose() => Dir.Dispose();
}

[CollectionDefinition(Name)]
public sealed class TinyRunCollection : ICollectionFixture<TinyRun>
{
    public const string Name = "tiny training run";
}

[Collection(TinyRunCollection.Name)]
public class TrainerTests(TinyRun run)
{
    [Fact]
    public void Training_beats_chance_by_far()
    {
        // Chance is 10%. Measured: 69.5% after 4 epochs of 640 images (seed 1, CPU); 50% (5x chance) leaves a margin for other initialisations.
        Assert.True(run.Result.BestValTop1 > 0.5, $"best val top-1 {run.Result.BestValTop1:P1}");
        Assert.True(run.Result.History[^1].TrainLoss < run.Result.History[0].TrainLoss);
    }

    [Fact]
    public void Callbacks_report_every_epoch_and_checkpoint()
    {
        Assert.Equal(Enumerable.Range(1, TinyRun.Epochs), run.Epochs_.Select(m => m.Epoch));
        Assert.Equal(TinyRun.Epochs, run.Saved.Count(s => s.Kind == "last"));
        Assert.Contains(run.Saved, s => s.Kind == "best" && s.Epoch == run.Result.BestEpoch);
        // The whole history after each epoch, in the run directory (what curves.png is drawn from).
        Assert.Equal(Enumerable.Range(1, TinyRun.Epochs), run.Histories.Select(h => h.Epochs.Count));
        Assert.All(run.Histories, h => Assert.Equal(run.Dir.Path, h.Directory));
        Assert.Equal(run.Epochs_, run.Histories[^1].Epochs);
        // 20 steps per epoch (640 / 32), reported at steps 10 and 20.
        Assert.Equal([10, 20], run.Progress.Where(p => p.Epoch == 1).Select(p => p.Step));
    }

    [Fact]
    public void Metrics_files_hold_one_row_per_epoch()
    {
        var lines = File.ReadAllLines(Path.Combine(run.Dir.Path, RunFiles.MetricsJsonl));
        Assert.Equal(TinyRun.Epochs, lines.Length);
        using var first = JsonDocument.Parse(lines[0]);
        string[] fields = ["epoch", "lr", "train_loss", "train_acc", "val_loss", "val_top1", "val_top5", "seconds", "images_per_s", "bad_images", "wall_seconds"];
        Assert.Equal(fields, first.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(run.Epochs_[0].ValTop1, first.RootElement.GetProperty("val_top1").GetDouble());
        // The wall clock runs across epochs (validation included), so it grows and never trails the epoch's training seconds.
        Assert.All(run.Epochs_, e => Assert.True(e.WallSeconds >= e.Seconds, $"{e.WallSeconds} < {e.Seconds}"));
        Assert.True(run.Epochs_[^1].WallSeconds > run.Epochs_[0].WallSeconds + run.Epochs_[^1].Seconds * 0.99);

        var csv = File.ReadAllLines(Path.Combine(run.Dir.Path, RunFiles.MetricsCsv));
        Assert.Equal(string.Join(',', fields), csv[0]);
        Assert.Equal(TinyRun.Epochs + 1, csv.Length);
        Assert.Equal(run.Epochs_[^1].ValTop5, double.Parse(csv[^1].Split(',')[6], System.Globalization.CultureInfo.InvariantCulture));

        var png = File.ReadAllBytes(Path.Combine(run.Dir.Path, RunFiles.Curves));
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], png[..4]);
        Assert.Single(Directory.GetFiles(run.Dir.Path, "events.out.tfevents.*"));
        Assert.True(File.Exists(Path.Combine(run.Dir.Path, RunFiles.Config)));
    }

    [Fact]
    public void Best_checkpoint_has_torchvision_names_and_metadata()
    {
        using var file = SafeTensors.Load(run.Result.BestCheckpoint);
        using var fresh = ResNet.Create("small_resnet");
        Assert.Equal(fresh.state_dict().Keys, file.Tensors.Keys);
        Assert.Equal("small_resnet", file.Metadata["model"]);
        Assert.Equal(run.Result.BestEpoch.ToString(), file.Metadata["epoch"]);
        Assert.Equal("3x16x16", file.Metadata["input_size"]);

        var (model, info) = Checkpoint.Load(run.Result.BestCheckpoint);
        using (model)
        {
            Assert.Equal(10, info.Classes.Count);
            Assert.Equal("circle", info.Classes[0]);
            Assert.Equal(3, info.Mean.Length);
            Assert.Equal(run.Result.BestValTop1, info.ValTop1);
        }
    }
}
