using System.CommandLine;
using ResNetSharp.Data.Check;

namespace ResNetSharp.Cli.Commands;

/// <summary><c>resnet data check SPEC [--json]</c>: scan a dataset for bad, truncated and duplicate images and empty classes.</summary>
internal static class DataCommand
{
    /// <summary>The exit code of a check that found problems.</summary>
    public const int ProblemsFound = 1;

    public static Command Create()
    {
        var command = new Command("data", "Dataset tools: check a dataset before training.");
        command.Subcommands.Add(Check());
        return command;
    }

    private static Command Check()
    {
        var spec = new Argument<string>("spec") { Description = "The dataset: folder:DIR." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("check", "Decode every image in full; report undecodable or truncated files, empty classes, classes in one split only, exact duplicates within and across splits; exit 1 on problems.") { spec, json };
        command.SetAction(result =>
        {
            var report = DataCheck.Run(result.GetValue(spec)!);
            if (result.GetValue(json)) CliJson.Write(result, report);
            else
            {
                var output = result.InvocationConfiguration.Output;
                output.WriteLine($"{report.Images} images; sizes {Size(report.Smallest)} (smallest) to {Size(report.Largest)} (largest)");
                foreach (var (split, counts) in report.ImagesPerClass)
                    output.WriteLine($"  {split}: {counts.Count} classes, {string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"))}");
                output.WriteLine(report.Clean ? "no problems found" : $"{report.Problems.Count} problem(s):");
                foreach (var line in report.Problems) output.WriteLine($"  {line}");
            }
            return report.Clean ? 0 : ProblemsFound;
        });
        return command;
    }

    private static string Size((int Width, int Height)? size) => size is { } s ? $"{s.Width}x{s.Height}" : "-";
}
