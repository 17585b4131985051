using System.Globalization;
using System.Text;
using System.Text.Json;
using ResNetSharp.IO;
using ResNetSharp.Runs.TensorBoard;

namespace ResNetSharp.Runs;

/// <summary>
/// The files of a run directory: config.json, metrics.jsonl and metrics.csv (rewritten atomically from the whole history
/// each epoch, so a resumed run never duplicates lines), TensorBoard events, and the names of the checkpoints and of
/// curves.png (drawn by <c>Reports.CurvesPlot</c>).
/// </summary>
public sealed class RunFiles : IDisposable
{
    /// <summary>The run's settings: options, model configuration and data.</summary>
    public const string Config = "config.json";
    /// <summary>One JSON object per epoch (epoch, lr, losses, accuracies, seconds, images/s, bad images).</summary>
    public const string MetricsJsonl = "metrics.jsonl";
    /// <summary>The same per-epoch metrics as CSV with a header row.</summary>
    public const string MetricsCsv = "metrics.csv";
    /// <summary>Loss and accuracy per epoch as a PNG plot (<c>Reports.CurvesPlot</c>).</summary>
    public const string Curves = "curves.png";
    /// <summary>The checkpoint of the epoch with the best validation top-1.</summary>
    public const string Best = "best.safetensors";
    /// <summary>The checkpoint after the last epoch run.</summary>
    public const string Last = "last.safetensors";
    /// <summary>The resumable state's tensors: optimizer moments, EMA weights, the CPU RNG state.</summary>
    public const string LastState = "last.state.safetensors";
    /// <summary>The resumable state's counters and history (step, epoch, partial-epoch metrics).</summary>
    public const string LastStateJson = "last.state.json";

    private EventWriter? _events;

    /// <summary>Opens (creating it when needed) the run directory <paramref name="directory"/>.</summary>
    /// <param name="directory">The run directory.</param>
    public RunFiles(string directory)
    {
        Directory = directory;
        System.IO.Directory.CreateDirectory(directory);
    }

    /// <summary>The run directory.</summary>
    public string Directory { get; }

    /// <summary>The path of the file <paramref name="name"/> in the run directory.</summary>
    /// <param name="name">A file name such as <see cref="Best"/>.</param>
    public string this[string name] => Path.Combine(Directory, name);

    /// <summary>Writes a text file atomically (temp + rename).</summary>
    public void WriteText(string name, string text) =>
        AtomicFile.Write(this[name], s => s.Write(Encoding.UTF8.GetBytes(text)));

    /// <summary>Writes an object as indented snake_case JSON, atomically.</summary>
    public void WriteJson(string name, object value) =>
        WriteText(name, JsonSerializer.Serialize(value, new JsonSerializerOptions(Checkpoint.Json) { WriteIndented = true }));

    /// <summary>Rewrites metrics.jsonl and metrics.csv from the history, and appends the last epoch to TensorBoard.</summary>
    public void WriteEpoch(IReadOnlyList<EpochMetrics> history)
    {
        WriteText(MetricsJsonl, string.Concat(history.Select(m => JsonSerializer.Serialize(m, Checkpoint.Json) + "\n")));
        var csv = new StringBuilder("epoch,lr,train_loss,train_acc,val_loss,val_top1,val_top5,seconds,images_per_s,bad_images,wall_seconds\n");
        foreach (var m in history)
            csv.AppendLine(string.Join(',', new object[] { m.Epoch, m.Lr, m.TrainLoss, m.TrainAcc, m.ValLoss, m.ValTop1, m.ValTop5, m.Seconds, m.ImagesPerS, m.BadImages, m.WallSeconds }
                .Select(v => Convert.ToString(v, CultureInfo.InvariantCulture))));
        WriteText(MetricsCsv, csv.ToString());
        var e = history[^1];
        _events ??= new EventWriter(Directory);
        _events.Scalars([("loss/train", e.TrainLoss), ("loss/val", e.ValLoss), ("accuracy/train", e.TrainAcc),
            ("accuracy/val_top1", e.ValTop1), ("accuracy/val_top5", e.ValTop5), ("lr", e.Lr), ("images_per_s", e.ImagesPerS)], e.Epoch);
    }

    /// <inheritdoc/>
    public void Dispose() => _events?.Dispose();
}
