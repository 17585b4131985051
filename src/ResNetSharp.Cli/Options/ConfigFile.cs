using System.CommandLine;
using System.CommandLine.Help;
using System.Text;
using System.Text.RegularExpressions;
using ResNetSharp.Settings;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// <c>--config FILE.yaml</c> (timm's args file): a mapping whose keys are a command's flags without the dashes
/// (<c>lr: 0.1</c>, <c>batch-size: 128</c>); the file sets the flags, the command line overrides them.
/// </summary>
internal static partial class ConfigFile
{
    /// <summary>The file in a run directory with the run's settings (timm's name): <c>resnet train --config DIR/args.yaml</c> reproduces it.</summary>
    public const string RunArgs = "args.yaml";

    /// <summary>The file's values are taken as written: one starting with '@' is a value, not a response file to expand.</summary>
    private static readonly ParserConfiguration Verbatim = new() { ResponseFileTokenReplacer = null };

    /// <summary>The <c>--config</c> option.</summary>
    public static Option<string?> Option() => new("--config")
    {
        Description = "A YAML file of this command's flags without the dashes (e.g. 'lr: 0.1', 'batch-size: 128'); flags on the command line override it. A run directory's args.yaml reproduces its run.",
    };

    /// <summary>
    /// The parse of <paramref name="path"/>'s flags by <paramref name="command"/>, to pass to
    /// <see cref="SettingOptions{T}.Read"/>; an unreadable file, an unknown key or a bad value is one clear error.
    /// </summary>
    public static ParsedConfig Parse(string path, Command command)
    {
        if (!File.Exists(path)) throw new ResNetSharpException($"config file '{path}' does not exist. Check the --config path.");
        var flags = command.Options.Where(o => o is not HelpOption && o.Name != "--config").Select(o => o.Name[2..]).ToHashSet();
        var tokens = new List<string>();
        foreach (var (key, value) in ConfigYaml.Entries(path))
        {
            if (!flags.Contains(key))
                throw new ResNetSharpException($"unknown key '{key}' in config file '{path}': the keys are {command.Name}'s flags without the dashes ({string.Join(", ", flags.Order())}).");
            if (value is not null) tokens.AddRange(["--" + key, value]);
        }
        var parsed = command.Parse(tokens, Verbatim);
        if (parsed.Errors.Count > 0)
            throw new ResNetSharpException($"config file '{path}': {string.Join("; ", parsed.Errors.Select(e => e.Message.TrimEnd('.')))}.");
        return new ParsedConfig(path, parsed);
    }

    /// <summary>
    /// Where <paramref name="option"/>'s value comes from: the command line when given there, else the config file's
    /// parse when given there, else the command line (its default).
    /// </summary>
    public static ParseResult Source(ParseResult result, ParsedConfig? config, Option option) =>
        Given(result, option) || config is null || !Given(config.Result, option) ? result : config.Result;

    /// <summary>Whether <paramref name="option"/> was given explicitly (not filled in by its default).</summary>
    public static bool Given(ParseResult result, Option option) => result.GetResult(option) is { Implicit: false };

    /// <summary>Writes every non-null setting of <paramref name="options"/> as <c>flag: value</c>, a file <see cref="Parse"/> reads back to the same options.</summary>
    public static void Write<T>(string path, T options) where T : notnull
    {
        var text = new StringBuilder();
        foreach (var setting in Setting.Of<T>())
            if (setting.Get(options) is { } value) text.Append(setting.Flag).Append(": ").Append(Quote(Setting.Format(value))).Append('\n');
        File.WriteAllText(path, text.ToString());
    }

    /// <summary>A config file's path and the parse of its flags.</summary>
    public sealed record ParsedConfig(string Path, ParseResult Result);

    /// <summary>YAML single quotes unless the text is a plain scalar that reads back as the same string.</summary>
    private static string Quote(string text) => PlainScalar().IsMatch(text) ? text : $"'{text.Replace("'", "''")}'";

    [GeneratedRegex(@"^[A-Za-z0-9_./+=-][A-Za-z0-9_./+=,:-]*$")]
    private static partial Regex PlainScalar();
}
