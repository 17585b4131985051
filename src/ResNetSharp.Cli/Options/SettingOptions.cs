using System.CommandLine;
using ResNetSharp.Settings;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// The System.CommandLine options of an options type's declared settings (<see cref="SettingAttribute"/>), and their
/// binding back into a new instance. Values of a <c>--config</c> file (<see cref="ConfigFile"/>) fill the flags not
/// given on the command line.
/// </summary>
internal sealed class SettingOptions<T> where T : class, new()
{
    private readonly List<(Setting Setting, Option Option, Func<ParseResult, object?> Read)> _options = [];

    /// <summary>
    /// One option per setting of <typeparamref name="T"/>; a flag in <paramref name="parsers"/> is read as text and
    /// parsed by its function (e.g. <c>--lr auto</c>), enums by <see cref="SettingValues.Parse"/>. The flags in
    /// <paramref name="unused"/> get no option (a command rejects the flags it does not use); they keep their defaults.
    /// </summary>
    public SettingOptions(IReadOnlyDictionary<string, Func<string, object>>? parsers = null, IReadOnlyCollection<string>? unused = null)
    {
        foreach (var setting in Setting.Of<T>())
        {
            if (unused?.Contains(setting.Flag) == true) continue;
            var (option, read) = parsers?.GetValueOrDefault(setting.Flag) is { } parse ? Text(setting, parse)
                : SettingValues.IsText(setting.Type) ? Text(setting, text => SettingValues.Parse(setting, text))
                : Typed(setting);
            option.Required = setting.Required;
            _options.Add((setting, option, read));
        }
    }

    /// <summary>The options, in declaration order.</summary>
    public IEnumerable<Option> Options => _options.Select(o => o.Option);

    /// <summary>Adds the options to <paramref name="command"/>.</summary>
    public SettingOptions<T> AddTo(Command command)
    {
        foreach (var option in Options) command.Options.Add(option);
        return this;
    }

    /// <summary>
    /// A new <typeparamref name="T"/> from the flags given on the command line, then those of <paramref name="config"/>
    /// (the parse of a config file's flags), then the defaults.
    /// </summary>
    public T Read(ParseResult result, ConfigFile.ParsedConfig? config = null) => Setting.Create<T>(setting => Value(result, config, setting));

    /// <summary>A copy of <paramref name="baseline"/> (a preset) with the flags given on the command line applied.</summary>
    public T Read(ParseResult result, T baseline) => Setting.With(baseline, setting => Value(result, null, setting));

    /// <summary>
    /// Sets in <paramref name="target"/> only the flags given on the command line, so they win over what
    /// <paramref name="target"/> already holds (values bound from a configuration file or the environment).
    /// </summary>
    public void Apply(ParseResult result, T target) => Setting.Apply(target, setting => Value(result, null, setting));

    private (bool Given, object? Value) Value(ParseResult result, ConfigFile.ParsedConfig? config, Setting setting)
    {
        int index = _options.FindIndex(o => o.Setting == setting);
        if (index < 0) return (false, null);   // a flag the command does not use
        var (_, option, read) = _options[index];
        var from = ConfigFile.Source(result, config, option);
        if (!ConfigFile.Given(from, option)) return (false, null);
        try
        {
            return (true, read(from));
        }
        catch (ResNetSharpException e) when (from != result)
        {
            throw new ResNetSharpException($"config file '{config!.Path}': {e.Message}");
        }
    }

    /// <summary>The option of <paramref name="flag"/> (without dashes).</summary>
    public Option this[string flag] => _options.First(o => o.Setting.Flag == flag).Option;

    private static (Option, Func<ParseResult, object?>) Text(Setting setting, Func<string, object> parse)
    {
        var option = new Option<string?>(setting.Option) { Description = setting.Description };
        if (setting.Default is { } d && Setting.Format(d) is { Length: > 0 } text) option.DefaultValueFactory = _ => text;
        return (option, r => r.GetValue(option) is { } text ? parse(text) : null);
    }

    private static (Option, Func<ParseResult, object?>) Typed(Setting setting) =>
        ((Option, Func<ParseResult, object?>))typeof(SettingOptions<T>).GetMethod(nameof(TypedOf), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(setting.Type).Invoke(null, [setting])!;

    private static (Option, Func<ParseResult, object?>) TypedOf<TValue>(Setting setting)
    {
        var option = new Option<TValue>(setting.Option) { Description = setting.Description };
        if (setting.Default is TValue d) option.DefaultValueFactory = _ => d;
        return (option, r => r.GetValue(option));
    }
}
