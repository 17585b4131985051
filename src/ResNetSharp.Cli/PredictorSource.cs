using ResNetSharp.Interop;
using ResNetSharp.Interop.Pretrained;
using System.CommandLine;
using ResNetSharp.Data.Images;
using ResNetSharp.Inference;
using ResNetSharp.Runs;
using TorchSharp;

namespace ResNetSharp.Cli;

/// <summary>
/// Where a command's classifier comes from: <c>--checkpoint FILE</c>, or <c>--model NAME --weights W [--labels FILE]</c>;
/// the options and the <see cref="Predictor"/> they open (predict's preprocessing).
/// </summary>
internal sealed class PredictorSource
{
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "A checkpoint written by 'resnet train' (uses its classes and preprocessing)." };
    public Option<string?> Model { get; } = new("--model") { Description = "A named model, with --weights (ImageNet preprocessing)." };
    public Option<string?> Weights { get; } = new("--weights") { Description = $"Weights for --model: {PretrainedWeights.Forms}." };
    public Option<string?> Labels { get; } = new("--labels") { Description = "With --model: class names, one per line in class order (e.g. ImageNet's 1000); default: class indices." };

    /// <summary>The four options, to add to a command.</summary>
    public IEnumerable<Option> Options => [Checkpoint, Model, Weights, Labels];

    /// <summary>Checks the image files, then opens the predictor the options name; an incomplete choice is one clear error.</summary>
    public Predictor Open(ParseResult result, string[] images, torch.Device device, EngineSettings engine)
    {
        var (c, m, w, l) = (result.GetValue(Checkpoint), result.GetValue(Model), result.GetValue(Weights), result.GetValue(Labels));
        bool fromCheckpoint = c is not null && m is null && w is null && l is null;
        if (!fromCheckpoint && (c is not null || m is null || w is null))
            throw new ResNetSharpException("give either --checkpoint FILE, or --model NAME with --weights FILE [--labels FILE].");
        if (!fromCheckpoint) w = CliOptions.WeightsFile(result, m!, w!);
        Array.ForEach(images, ImageFiles.CheckExists);   // before the model loads
        return fromCheckpoint ? Predictor.FromCheckpoint(c!, device, engine) : Predictor.FromWeights(m!, w!, device, l, engine);
    }
}
