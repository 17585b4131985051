using System.Globalization;
using ResNetSharp.Training;

namespace ResNetSharp.Training;

/// <summary>The <c>resnet train</c> command line that reproduces a run's options (every flag the CLI has, defaults included).</summary>
internal static class TrainCommandLine
{
    public static string For(TrainOptions o)
    {
        var flags = new List<(string Flag, object? Value)>
        {
            ("--model", o.Model), ("--data", o.Data), ("--image-size", o.ImageSize), ("--epochs", o.Epochs), ("--batch-size", o.BatchSize),
            ("--lr", o.Lr), ("--optimizer", o.Optimizer), ("--momentum", o.Momentum), ("--nesterov", o.Nesterov),
            ("--weight-decay", o.WeightDecay), ("--label-smoothing", o.LabelSmoothing), ("--schedule", o.Schedule),
            ("--warmup-epochs", o.WarmupEpochs), ("--augment", o.Augment), ("--precision", o.Precision),
            ("--channels-last", o.ChannelsLast), ("--seed", o.Seed), ("--ema", o.Ema), ("--early-stopping", o.EarlyStopping),
            ("--clip-grad", o.ClipGrad), ("--drop-path", o.DropPath), ("--weights", o.Weights), ("--num-classes", o.NumClasses),
            ("--freeze", o.Freeze), ("--out", o.OutDir),
        };
        var words = new List<string> { "resnet", "train" };
        if (o.Download) words.Add("--download");
        foreach (var (flag, value) in flags.Where(f => f.Value is not null))
            words.AddRange([flag, Quote(Format(value!))]);
        return string.Join(' ', words);
    }

    private static string Format(object value) => value switch
    {
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        Enum e => e.ToString().ToLowerInvariant(),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    /// <summary>POSIX shell quoting where needed.</summary>
    private static string Quote(string s) =>
        s.Length > 0 && s.All(c => char.IsLetterOrDigit(c) || "-_.,:/=+@".Contains(c)) ? s : $"'{s.Replace("'", "'\\''")}'";
}
