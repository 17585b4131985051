using System.CommandLine;
using System.CommandLine.Help;
using System.Text;

namespace ResNetSharp.Cli.Options;

/// <summary>docs/options.md: a markdown table of every command's options, generated from the commands themselves.</summary>
internal static class OptionsDoc
{
    /// <summary>The document for <paramref name="root"/>'s commands, depth first, in the order the CLI lists them.</summary>
    public static string Markdown(RootCommand root)
    {
        var text = new StringBuilder("# Command-line options\n\n")
            .Append("Generated from the CLI's option declarations (the options records' `[Setting]` attributes and the commands); ")
            .Append("a test fails when this file and the CLI differ. Regenerate it with `RESNETSHARP_WRITE_DOCS=1 dotnet test --filter OptionsDocTests`.\n");
        foreach (var command in root.Subcommands) Append(text, command, "resnet " + command.Name);
        return text.ToString();
    }

    private static void Append(StringBuilder text, Command command, string path)
    {
        var options = command.Options.Where(o => o is not HelpOption && !o.Hidden).ToList();
        if (options.Count > 0)
        {
            text.Append($"\n## `{path}`\n\n{command.Description}\n\n| flag | default | description |\n|---|---|---|\n");
            foreach (var o in options)
                text.Append($"| `{o.Name}` | {Default(o)} | {Cell(o.Description ?? "")} |\n");
        }
        foreach (var sub in command.Subcommands) Append(text, sub, $"{path} {sub.Name}");
    }

    private static string Default(Option option) =>
        option.HasDefaultValue && option.GetDefaultValue() is { } d ? $"`{Settings.Setting.Format(d)}`" : "";

    private static string Cell(string text) => text.Replace("|", "\\|");
}
