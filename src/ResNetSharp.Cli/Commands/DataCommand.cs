using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data.Check;
using ResNetSharp.Data.Sources;

namespace ResNetSharp.Cli.Commands;

/// <summary>
/// <c>resnet data check SPEC [--max-pixels N] [--json]</c>: scan a dataset for bad, truncated and duplicate images and empty classes;
/// <c>resnet data pack folder:DIR --out DIR [--shard-size 256MB]</c>: write it as WebDataset tar shards (<see cref="PackOptions"/>).
/// </summary>
internal static class DataCommand
{
    /// <summary>The exit code of a check that found problems.</summary>
    public const int ProblemsFound = 1;

    public static Command Create()
    {
        var command = new Command("data", "Dataset tools: check a dataset before training, pack an ImageFolder into tar shards.");
        command.Subcommands.Add(Check());
        command.Subcommands.Add(Pack());
        return command;
    }

    private static Command Check()
    {
        var spec = new Argument<string>("spec") { Description = "The dataset: folder:DIR or wds:DIR." };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of text." };
        var command = new Command("check", "Decode every image in full; report undecodable or truncated files, empty classes, classes in one split only, exact duplicates within and across splits; exit 1 on problems.") { spec, json };
        var maxPixels = CliOptions.MaxPixels(command);
        command.SetAction(result =>
        {
            CliOptions.LimitPixels(result, maxPixels);
            var found = DataCheck.Run(result.GetValue(spec)!);
            var report = found with { Problems = [.. found.Problems.Select(FlagNames.Translate)] };   // the library names settings; show flags
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

    private static Command Pack()
    {
        var spec = new Argument<string>("spec") { Description = "The ImageFolder to pack: folder:DIR." };
        var command = new Command("pack", "Write an ImageFolder as WebDataset tar shards (KEY.jpg + KEY.cls members, classes.txt).") { spec };
        var settings = new SettingOptions<PackOptions>().AddTo(command);
        settings["out"].Required = true;
        command.SetAction(result =>
        {
            var options = settings.Read(result);
            string dir = options.Out!;
            var shards = options.Pack(result.GetValue(spec)!);
            result.InvocationConfiguration.Output.WriteLine($"wrote {shards.Count} shard(s) and {WebDataset.ClassesFile} to {dir}; train with --data wds:{dir}");
            return 0;
        });
        return command;
    }

    private static string Size((int Width, int Height)? size) => size is { } s ? $"{s.Width}x{s.Height}" : "-";
}
