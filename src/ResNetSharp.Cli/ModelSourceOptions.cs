using System.CommandLine;
using ResNetSharp.Cli.Options;
using ResNetSharp.Data.Images;
using ResNetSharp.Inference;
using TorchSharp;

namespace ResNetSharp.Cli;

/// <summary>
/// The CLI's handling of a <see cref="ModelSource"/> (<c>--checkpoint FILE</c>, or <c>--model NAME --weights W
/// [--labels FILE]</c>, or <c>--model-file FILE.onnx</c>): its options for commands that add them alone, the device
/// it runs on, and opening it with published weights downloaded.
/// </summary>
internal sealed class ModelSourceOptions
{
    private readonly SettingOptions<ModelSource> _options;

    /// <summary>Adds the options to <paramref name="command"/>; without <paramref name="modelFile"/>, no <c>--model-file</c> (commands that need a TorchSharp model).</summary>
    public ModelSourceOptions(Command command, bool modelFile = true) =>
        _options = new SettingOptions<ModelSource>(unused: modelFile ? null : ["model-file"]).AddTo(command);

    /// <summary>The source the flags name (not yet checked).</summary>
    public ModelSource Read(ParseResult result) => _options.Read(result);

    /// <summary><see cref="Open(ParseResult, ModelSource, torch.Device, EngineSettings, string[])"/> of the source the flags name.</summary>
    public Predictor Open(ParseResult result, torch.Device device, EngineSettings engine, string[]? images = null) =>
        Open(result, Read(result), device, engine, images);

    /// <summary>The <c>--device</c> value resolved; <c>auto</c> is the CPU for an ONNX model file, which ONNX Runtime runs there.</summary>
    public static torch.Device Device(ModelSource source, string device) =>
        device == "auto" && source.ModelFile is not null ? torch.CPU : Runtime.Devices.Resolve(device);

    /// <summary>
    /// Checks the choice and the engine rules, resolves published weights (downloaded with a line on stderr), checks
    /// the image files, then opens the predictor.
    /// </summary>
    public static Predictor Open(ParseResult result, ModelSource source, torch.Device device, EngineSettings engine, string[]? images = null)
    {
        if (source.Validate(engine, device) == ModelSourceKind.Named)   // unknown published weights first, then a download
            source = source with { Weights = CliOptions.WeightsFile(result, source.Model!, source.Weights!) };
        Array.ForEach(images ?? [], ImageFiles.CheckExists);   // before the model loads
        return source.Open(device, engine);
    }
}
