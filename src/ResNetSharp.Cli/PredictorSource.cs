using ResNetSharp.Interop.Pretrained;
using System.CommandLine;
using ResNetSharp.Inference;

namespace ResNetSharp.Cli;

/// <summary>
/// serve's model options (<c>--checkpoint FILE</c>, or <c>--model NAME --weights W [--labels FILE]</c>), read into
/// ResNetClassifierOptions; every other command uses <see cref="ModelSourceOptions"/>. Goes when serve binds
/// <see cref="ModelSource"/> too.
/// </summary>
internal sealed class PredictorSource
{
    public Option<string?> Checkpoint { get; } = new("--checkpoint") { Description = "A checkpoint written by 'resnet train' (uses its classes and preprocessing)." };
    public Option<string?> Model { get; } = new("--model") { Description = "A named model, with --weights (ImageNet preprocessing)." };
    public Option<string?> Weights { get; } = new("--weights") { Description = $"Weights for --model: {PretrainedWeights.Forms}." };
    public Option<string?> Labels { get; } = new("--labels") { Description = "With --model: class names, one per line in class order (e.g. ImageNet's 1000); default: class indices." };

    /// <summary>The four options, to add to a command.</summary>
    public IEnumerable<Option> Options => [Checkpoint, Model, Weights, Labels];
}
