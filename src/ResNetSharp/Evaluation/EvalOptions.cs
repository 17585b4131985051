using ResNetSharp.Data;
using ResNetSharp.Data.Loading;
using ResNetSharp.Inference;
using ResNetSharp.Inference.Engines;
using ResNetSharp.Runtime;
using ResNetSharp.Settings;
using static TorchSharp.torch;

namespace ResNetSharp.Evaluation;

/// <summary>
/// What <c>resnet eval</c> evaluates, on which data and how: the model, the dataset's validation split, test-time
/// augmentation, an optional second model to compare top-1 with, and the engine, run and loader settings.
/// </summary>
public sealed record EvalOptions
{
    /// <summary>The classifier: a checkpoint, a named model with weights, or an ONNX model file.</summary>
    [SettingsGroup]
    public ModelSource Source { get; init; } = new();

    /// <summary>The dataset whose validation split is evaluated (<see cref="DataSpec.Open"/>).</summary>
    [Setting("data", "Dataset whose validation split to use: " + DataSpec.Forms + ".")]
    public string Data { get; init; } = DataSpec.Default;

    /// <summary>Whether missing dataset files may be downloaded.</summary>
    [Setting("download", "Download missing dataset files.")]
    public bool Download { get; init; }

    /// <summary>Test-time augmentation (<see cref="Evaluator.Run"/>).</summary>
    [Setting("tta", "Test-time augmentation: none, or flip (average each image's and its mirror image's probabilities).")]
    public TestTimeAugmentation Tta { get; init; }

    /// <summary>Another model (a checkpoint or an ONNX model file) whose top-1 agreement with this one is measured.</summary>
    [Setting("compare-to", "Also report how often this model (a checkpoint, or an ONNX model file) picks the same top-1 class, e.g. the fp32 model an int8 file came from.")]
    public string? CompareTo { get; init; }

    /// <summary>A directory for eval.json and confusion.png; null: none written.</summary>
    [Setting("out", "Also write eval.json and confusion.png here.")]
    public string? Out { get; init; }

    /// <summary>Device, batch size (default 256), layout, pixel limit and JSON output.</summary>
    [SettingsGroup]
    public InferenceSettings Run { get; init; } = new() { BatchSize = 256 };

    /// <summary>The engine (default auto), the fused path and the precision.</summary>
    [SettingsGroup]
    public EngineSettings Engine { get; init; } = new(EngineKind.Auto);

    /// <summary>Workers, prefetch depth, decode mode and bad-image policy of streaming (folder) data.</summary>
    [SettingsGroup]
    public LoaderSettings Loader { get; init; } = LoaderSettings.Default;

    /// <summary>
    /// Throws a <see cref="ResNetSharpException"/> naming the first bad setting, checking the model source against the
    /// engine and <paramref name="device"/> (bf16 is for the torch engine with a TorchSharp model); returns the source's
    /// kind and the engine settings in effect.
    /// </summary>
    public (ModelSourceKind Kind, EngineSettings Engine) Validate(Device? device = null)
    {
        Run.Validate();
        Loader.Validate();
        var engine = Engine.Validate();
        var kind = Source.Validate(engine, device);
        if ((engine.Kind == EngineKind.OnnxRuntime || kind == ModelSourceKind.OnnxFile) && engine.Precision != Precision.FP32)
            throw new ResNetSharpException($"EngineSettings.Precision {engine.Precision.Name()} is for the torch engine: use EngineSettings.Kind torch with a checkpoint or weights, or fp32 with onnxruntime.");
        return (kind, engine);
    }
}
