using System.CommandLine;
using System.Globalization;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet train --lr auto</c> and <c>--report</c>: the LR range test before training (its suggestion becomes the
/// peak rate; lr_find.json and lr_find.png go into the run directory) and the HTML report after it.
/// </summary>
internal static class AutoLr
{
    public const string Auto = "auto";

    /// <summary>A number, or <c>auto</c> (a placeholder rate until the range test replaces it).</summary>
    public static double Parse(string value) =>
        value == Auto ? 1 : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) ? lr
            : throw new ResNetSharpException($"--lr must be a positive number or auto, not '{value}'.");

    public static int Train(ParseResult result, TrainOptions options, bool auto, bool report)
    {
        var output = result.InvocationConfiguration.Output;
        LrFindResult? found = null;
        if (auto)
        {
            if (options.Resume is not null) throw new ResNetSharpException("--lr auto cannot be used with --resume: the resumed run keeps its learning rate.");
            found = LrFinder.Run(options);
            output.WriteLine($"lr-find: {LrFindResult.Name(found.Method)} suggests lr {found.SuggestedLr:G4} ({found.Lrs.Count} steps{(found.Diverged ? ", stopped on divergence" : "")})");
            options = options with { Lr = found.SuggestedLr };
        }
        var trainer = new Trainer(options);
        string? directory = null;
        trainer.CheckpointSaved += saved =>
        {
            if (directory is not null) return;
            directory = Path.GetDirectoryName(Path.GetFullPath(saved.Path))!;
            found?.Save(directory);
        };
        int code = TrainingConsole.Run(trainer, output);
        if (code == 0 && report && directory is not null)
            output.WriteLine($"report:     {Explain.RunReport.Write(directory)}");
        return code;
    }
}
