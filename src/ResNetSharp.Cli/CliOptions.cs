using System.CommandLine;
using ResNetSharp.Interop;
using ResNetSharp.Runtime;

namespace ResNetSharp.Cli;

/// <summary>Options that several commands share, so each is spelled and described once.</summary>
internal static class CliOptions
{
    /// <summary><c>--device auto|cpu|cuda|cuda:N</c> (default auto); resolve the value with <see cref="Devices.Resolve"/>.</summary>
    public static Option<string> Device() => new("--device")
    {
        Description = $"Where to run: {Devices.Forms}. auto picks CUDA when it is available.",
        DefaultValueFactory = _ => "auto",
    };

    /// <summary><c>--fused</c>: evaluate or predict through <c>FusedResNet</c>, the inference fast path.</summary>
    public static Option<bool> Fused() => new("--fused")
    {
        Description = "The inference fast path: batch norm folded into the convolutions, the network one TorchScript function (cuDNN fused conv + add + ReLU on CUDA). Same results within rounding; post-activation models.",
    };

    /// <summary>Help text for the weights of a named model: a file, or torchvision's published weights by tag.</summary>
    public const string WeightsForms = ".safetensors, .pth or .pt (torchvision's state_dict names), or torchvision's ImageNet weights: DEFAULT, IMAGENET1K_V1, IMAGENET1K_V2 (downloaded once into torch.hub's cache)";

    /// <summary>A <c>--weights</c> value as a local file, downloading published weights first (said on stderr).</summary>
    public static string WeightsFile(ParseResult result, string model, string weights) =>
        PretrainedWeights.Resolve(model, weights, message => result.InvocationConfiguration.Error.WriteLine(message));
}
