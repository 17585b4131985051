using System.Globalization;
using ResNetSharp.Data.Loading;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Options;

/// <summary>How the CLI reads setting values the parser does not know: enums, through the library's parse functions.</summary>
internal static class SettingValues
{
    /// <summary>The library's parser of each enum type, with its own error message naming the valid values.</summary>
    private static readonly Dictionary<Type, Func<string, object>> Parsers = new()
    {
        [typeof(OptimizerKind)] = s => TrainOptions.ParseOptimizer(s),
        [typeof(ScheduleKind)] = s => LrSchedule.ParseKind(s),
        [typeof(Precision)] = s => Precisions.Parse(s),
        [typeof(Data.Images.DecodeMode)] = s => LoaderSettings.ParseDecode(s),
        [typeof(BadImagePolicy)] = s => LoaderSettings.ParseBadImage(s),
        [typeof(Evaluation.TestTimeAugmentation)] = s => Evaluation.TestTimeAugmentations.Parse(s),
        [typeof(Quantization.CalibrationMethod)] = s => Quantization.QuantizeOptions.ParseMethod(s),
        [typeof(Inference.Engines.EngineKind)] = s => Inference.Engines.InferenceEngines.Parse(s),
        [typeof(Explain.CamMethod)] = s => Explain.ExplainOptions.ParseMethod(s),
        [typeof(Interop.ExportFormat)] = s => Interop.ModelExport.ParseFormat(s),
    };

    /// <summary>Whether values of <paramref name="type"/> are taken as text and parsed here (enums, lists of names) rather than by the parser.</summary>
    public static bool IsText(Type type) => (Nullable.GetUnderlyingType(type) ?? type).IsEnum || type == typeof(IReadOnlyList<string>) || type == typeof(IReadOnlyList<int>);

    /// <summary>Parses an enum value (a type without a library parser accepts its lower-case member names) or a comma-separated list (of names or whole numbers).</summary>
    public static object Parse(Setting setting, string text)
    {
        var items = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (setting.Type == typeof(IReadOnlyList<string>)) return (IReadOnlyList<string>)items;
        if (setting.Type == typeof(IReadOnlyList<int>))
            return (IReadOnlyList<int>)[.. items.Select(item => int.TryParse(item, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n
                : throw new ResNetSharpException($"{setting.Option} takes comma-separated numbers such as {(setting.Default is { } d ? Setting.Format(d) : "1,2")}, not '{item}'."))];
        var type = Nullable.GetUnderlyingType(setting.Type) ?? setting.Type;
        if (Parsers.TryGetValue(type, out var parse)) return parse(text);
        return Enum.TryParse(type, text, ignoreCase: true, out var value) && !int.TryParse(text, out _) ? value!
            : throw new ResNetSharpException($"unknown {setting.Option} '{text}': use {string.Join(", ", Enum.GetNames(type).Select(n => n.ToLowerInvariant()))}.");
    }
}
