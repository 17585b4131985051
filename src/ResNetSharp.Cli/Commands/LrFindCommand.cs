using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Reports;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet lr-find [train's flags] [--out DIR] [--suggest valley|steep|minimum] [--json]</c>: the learning-rate range
/// test (<see cref="LrFinder"/>); writes lr_find.png and lr_find.json into DIR. Its flags are <see cref="TrainOptions"/>'
/// settings less <see cref="Unused"/>, <see cref="LrFindOptions"/>' and <c>--json</c>.
/// </summary>
internal static class LrFindCommand
{
    /// <summary>Train's flags the range test does not use (it sweeps the rate itself for a fixed number of steps, on one process).</summary>
    public static readonly string[] Unused = ["epochs", "lr", "schedule", "warmup-epochs", "resume", "ema", "early-stopping", "distributed", "sync-bn", "dist-timeout"];

    public static Command Create()
    {
        var json = new Option<bool>("--json") { Description = "Print {suggested_lr, lrs, losses, method} as JSON." };
        var sweep = new SettingOptions<LrFindOptions>();
        var command = TrainCommand.Create("lr-find", "Learning-rate range test (fastai's lr_find) with train's model, data, optimizer and augmentation flags; writes lr_find.png and lr_find.json to --out.",
            (result, options) =>
            {
                var found = LrFinder.Run(options, options: sweep.Read(result));
                string dir = options.OutDir ?? "lr-find";
                LrFindPlot.SaveFiles(dir, found);
                if (result.GetValue(json))
                    result.InvocationConfiguration.Output.WriteLine(File.ReadAllText(Path.Combine(dir, LrFindResult.Json)));
                else
                    result.InvocationConfiguration.Output.WriteLine($"suggested lr {found.SuggestedLr:G4} ({LrFindResult.Name(found.Method)}; {found.Lrs.Count} steps{(found.Diverged ? ", stopped on divergence" : "")}); wrote {Path.Combine(dir, LrFindResult.Png)} and {Path.Combine(dir, LrFindResult.Json)}");
                return 0;
            }, Unused);
        command.Options.Add(json);
        sweep.AddTo(command);
        return command;
    }
}
