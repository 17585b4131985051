using System.CommandLine;
using System.Globalization;
using ResNetSharp.Cli.Options;
using ResNetSharp.Reports;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet train --lr auto</c> and <c>--report</c>: the LR range test before training (its suggestion becomes the
/// peak rate; lr_find.json and lr_find.png go into the run directory) and the HTML report after it.
/// </summary>
internal static class AutoLr
{
    public const string Auto = "auto";

    /// <summary>
    /// The rule <c>--lr auto</c> uses: steep. Measured on the built-in shapes (small_resnet, one onecycle epoch), valley's
    /// rate (0.013) reached 28% top-1, minimum/10's (0.063) 34%, steep's (0.17) 51%, the default 0.2 47%.
    /// </summary>
    public const LrSuggestion DefaultRule = LrSuggestion.Steep;

    /// <summary>A number, or <c>auto[=valley|steep|minimum]</c> (then a placeholder rate until the range test replaces it).</summary>
    public static double Parse(string value) =>
        Rule(value) is not null ? 1 : double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double lr) ? lr
            : throw new ResNetSharpException($"--lr must be a positive number or auto[=valley|steep|minimum], not '{value}'.");

    /// <summary>The suggestion rule of an <c>auto</c> value, or null for a number.</summary>
    public static LrSuggestion? Rule(string value) => value.Split('=', 2) switch
    {
        [Auto] => DefaultRule,
        [Auto, var rule] when Enum.TryParse(rule, ignoreCase: true, out LrSuggestion r) && !int.TryParse(rule, out _) => r,
        [Auto, var rule] => throw new ResNetSharpException($"unknown --lr auto rule '{rule}': use valley, steep or minimum."),
        _ => null,
    };

    /// <summary>
    /// <c>resnet train</c>'s run: with <paramref name="auto"/> the range test first (its suggestion becomes the rate),
    /// then training (args.yaml, lr_find.json/png in the run directory), then report.html with <paramref name="report"/>.
    /// </summary>
    public static int FindLrThenTrain(ParseResult result, TrainOptions options, LrSuggestion? auto, bool report)
    {
        var output = result.InvocationConfiguration.Output;
        LrFindResult? found = null;
        if (auto is { } rule)
        {
            if (options.Resume is not null) throw new ResNetSharpException("--lr auto cannot be used with --resume: the resumed run keeps its learning rate.");
            if (options.Distributed) throw new ResNetSharpException("--lr auto cannot be used with --distributed (each rank would find its own rate): run resnet lr-find first and pass its suggestion as --lr.");
            found = LrFinder.Run(options, options: new LrFindOptions { Method = rule });
            output.WriteLine($"lr-find: {LrFindResult.Name(found.Method)} suggests lr {found.SuggestedLr:G4} ({found.Lrs.Count} steps{(found.Diverged ? ", stopped on divergence" : "")})");
            options = options with { Lr = found.SuggestedLr };
        }
        var trainer = new Trainer(options);
        string? directory = null;
        trainer.CheckpointSaved += saved =>
        {
            if (directory is not null) return;
            directory = Path.GetDirectoryName(Path.GetFullPath(saved.Path))!;
            if (found is not null) LrFindPlot.SaveFiles(directory, found);
            if (options.Resume is null) ConfigFile.Write(Path.Combine(directory, ConfigFile.RunArgs), options);   // the resumed run keeps its own
        };
        int code = TrainingConsole.Run(trainer, output, plain: options.Distributed);
        if (code == 0 && report && directory is not null)
            output.WriteLine($"report:     {Reports.RunReport.Write(directory)}");
        return code;
    }
}
