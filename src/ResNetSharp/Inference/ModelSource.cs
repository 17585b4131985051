using ResNetSharp.Inference.Engines;
using ResNetSharp.Interop.Pretrained;
using ResNetSharp.Settings;
using static TorchSharp.torch;

namespace ResNetSharp.Inference;

/// <summary>The three kinds of <see cref="ModelSource"/>.</summary>
public enum ModelSourceKind
{
    /// <summary>A checkpoint written by training (<see cref="ModelSource.Checkpoint"/>).</summary>
    Checkpoint,

    /// <summary>A named model with weights and optional labels (<see cref="ModelSource.Model"/>, <see cref="ModelSource.Weights"/>, <see cref="ModelSource.Labels"/>).</summary>
    Named,

    /// <summary>An ONNX model file of ours, fp32 or int8 (<see cref="ModelSource.ModelFile"/>).</summary>
    OnnxFile,
}

/// <summary>
/// Where a classifier comes from: a checkpoint, or a named model plus weights (and labels), or an ONNX model file
/// (fp32 from <c>resnet export</c>, int8 from <c>resnet quantize</c>). Set exactly one of the three forms; <see cref="Open"/>
/// checks the choice and the engine rules (an ONNX file runs only on ONNX Runtime on the CPU; the fused fast path only
/// on TorchSharp) and gives the <see cref="Predictor"/>.
/// </summary>
public sealed record ModelSource
{
    /// <summary>The one wording of an incomplete or ambiguous choice (library errors name properties; the CLI shows flags).</summary>
    public const string Choices = "give either ModelSource.Checkpoint FILE, or ModelSource.Model NAME with ModelSource.Weights W [ModelSource.Labels FILE], or ModelSource.ModelFile FILE.onnx";

    /// <summary>A checkpoint written by training; its classes and preprocessing come with it.</summary>
    [Setting("checkpoint", "A checkpoint written by 'resnet train' (uses its classes and preprocessing).")]
    public string? Checkpoint { get; init; }

    /// <summary>A named model (see <c>resnet models</c>), with <see cref="Weights"/>; ImageNet preprocessing.</summary>
    [Setting("model", "A named model (see 'resnet models'), with --weights (ImageNet preprocessing).")]
    public string? Model { get; init; }

    /// <summary>Weights for <see cref="Model"/>: a file, or torchvision's published weights by name.</summary>
    [Setting("weights", "Weights for --model: " + PretrainedWeights.Forms + ".")]
    public string? Weights { get; init; }

    /// <summary>With <see cref="Model"/>: class names, one per line in class order; default: the class indices.</summary>
    [Setting("labels", "With --model: class names, one per line in class order (e.g. ImageNet's 1000); default: class indices.")]
    public string? Labels { get; init; }

    /// <summary>An ONNX model file (fp32 or int8) whose metadata holds its labels and preprocessing; runs on ONNX Runtime.</summary>
    [Setting("model-file", "An ONNX model file written by 'resnet export --format onnx' or 'resnet quantize' (fp32 or int8; labels and preprocessing from its metadata), run by ONNX Runtime on the CPU.")]
    public string? ModelFile { get; init; }

    /// <summary>Which form is set; one <see cref="ResNetSharpException"/> (<see cref="Choices"/>) when none or several are.</summary>
    public ModelSourceKind Kind => (Checkpoint, Model, Weights, Labels, ModelFile) switch
    {
        ({ }, null, null, null, null) => ModelSourceKind.Checkpoint,
        (null, { }, { }, _, null) => ModelSourceKind.Named,
        (null, null, null, null, { }) => ModelSourceKind.OnnxFile,
        _ => throw new ResNetSharpException(Choices + "."),
    };

    /// <summary>
    /// Checks the choice against <paramref name="engine"/> and <paramref name="device"/>: an ONNX file runs on ONNX
    /// Runtime on the CPU, without the fused fast path (TorchSharp's); returns the kind.
    /// </summary>
    public ModelSourceKind Validate(EngineSettings engine, Device? device = null)
    {
        var kind = Kind;
        if (kind != ModelSourceKind.OnnxFile) return kind;
        if (engine.Fused || engine.Kind == EngineKind.Torch)
            throw new ResNetSharpException("ModelSource.ModelFile runs on ONNX Runtime only: leave out the fused fast path and the torch engine, or give ModelSource.Checkpoint instead.");
        if (device is not null && device.type != TorchSharp.DeviceType.CPU)
            throw new ResNetSharpException($"ModelSource.ModelFile runs on the CPU only, not {device}: run it on the CPU, or give ModelSource.Checkpoint to use the GPU.");
        return kind;
    }

    /// <summary>
    /// The predictor of this source on <paramref name="device"/> (default CPU) through <paramref name="engine"/>;
    /// <paramref name="downloading"/> hears about published weights being downloaded.
    /// </summary>
    public Predictor Open(Device? device = null, EngineSettings? engine = null, Action<string>? downloading = null)
    {
        engine ??= new(EngineKind.Auto);
        return Validate(engine, device) switch
        {
            ModelSourceKind.Checkpoint => Predictor.FromCheckpoint(Checkpoint!, device, engine),
            ModelSourceKind.Named => Predictor.FromWeights(Model!, PretrainedWeights.Resolve(Model!, Weights!, downloading), device, Labels, engine),
            _ => Predictor.FromOnnx(ModelFile!, engine.Threads),
        };
    }
}
