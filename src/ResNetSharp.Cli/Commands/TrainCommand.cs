using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet train</c>: trains a model (by default resnet20 on the synthetic data, to over 90% in under 3 minutes on 2 CPU
/// cores). Its flags are <see cref="TrainOptions"/>' declared settings, plus <c>--config</c> and <c>--report</c>.
/// </summary>
internal static class TrainCommand
{
    /// <summary>
    /// The train command; <paramref name="name"/> and <paramref name="run"/> reuse its flags, less those in
    /// <paramref name="unused"/>, for another command (lr-find), which then runs instead of training.
    /// </summary>
    public static Command Create(string name = "train", string? description = null, Func<ParseResult, TrainOptions, int>? run = null, IReadOnlyCollection<string>? unused = null)
    {
        var settings = new SettingOptions<TrainOptions>(new Dictionary<string, Func<string, object>> { ["lr"] = text => AutoLr.Parse(text) }, unused);
        var config = ConfigFile.Option();
        var report = new Option<bool>("--report") { Description = "After training, write report.html (resnet report) into the run directory." };
        var command = new Command(name, description ?? "Train a model; writes checkpoints, metrics, TensorBoard events, curves.png and args.yaml (its settings, for --config) to the run directory.");
        settings.AddTo(command);
        command.Options.Add(config);
        if (run is null) command.Options.Add(report);
        var maxPixels = CliOptions.MaxPixels(command);
        command.SetAction(result =>
        {
            CliOptions.LimitPixels(result, maxPixels);
            var file = result.GetValue(config) is { } path ? ConfigFile.Parse(path, command) : null;
            var options = settings.Read(result, file);
            options.Validate();   // bad flags fail before any download
            if (options.Weights is { } w) options = options with { Weights = CliOptions.WeightsFile(result, options.Model, w) };
            if (run is not null) return run(result, options);
            string lr = ConfigFile.Source(result, file, settings["lr"]).GetValue<string>("--lr")!;
            return AutoLr.FindLrThenTrain(result, options, AutoLr.Rule(lr), ConfigFile.Source(result, file, report).GetValue(report));
        });
        return command;
    }
}
