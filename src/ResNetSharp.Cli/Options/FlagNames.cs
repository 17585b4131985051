using System.Text.RegularExpressions;
using ResNetSharp.Benchmarks;
using ResNetSharp.Data.Loading;
using ResNetSharp.Data.Sources;
using ResNetSharp.Evaluation;
using ResNetSharp.Experiments;
using ResNetSharp.Explain;
using ResNetSharp.Inference;
using ResNetSharp.Interop;
using ResNetSharp.Interop.Onnx;
using ResNetSharp.Models;
using ResNetSharp.Quantization;
using ResNetSharp.Reports;
using ResNetSharp.Settings;
using ResNetSharp.Training;

namespace ResNetSharp.Cli.Options;

/// <summary>
/// The one place the CLI turns the library's setting names (<c>TrainOptions.BatchSize</c> in its error messages) into
/// its flags (<c>--batch-size</c>).
/// </summary>
internal static partial class FlagNames
{
    /// <summary>The options types whose settings the CLI declares as flags.</summary>
    private static readonly Dictionary<string, string> Flags = new[]
        {
            typeof(TrainOptions), typeof(LoaderSettings), typeof(ModelSource), typeof(QuantizeOptions), typeof(Serving.ResNetClassifierOptions),
            typeof(BenchOptions), typeof(LoaderBenchOptions), typeof(GradientFlowOptions), typeof(DegradationOptions), typeof(LrFindOptions),
            typeof(PackOptions), typeof(ReportOptions), typeof(QuantizeFiles),
            typeof(InferenceSettings), typeof(EngineSettings), typeof(EvalOptions), typeof(PredictOptions), typeof(ExplainOptions),
            typeof(ExportOptions), typeof(OnnxExportOptions), typeof(SummaryOptions),
        }
        .SelectMany(t => Setting.Of(t).Select(s => (Name: $"{t.Name}.{s.Property}", s.Option)))
        .ToDictionary(s => s.Name, s => s.Option);

    /// <summary><paramref name="message"/> with each <c>Type.Property</c> of a declared setting replaced by its flag.</summary>
    public static string Translate(string message) => Qualified().Replace(message, m => Flags.GetValueOrDefault(m.Value, m.Value));

    [GeneratedRegex(@"\b[A-Z]\w*\.[A-Z]\w*\b")]
    private static partial Regex Qualified();
}
