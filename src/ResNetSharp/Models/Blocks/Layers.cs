using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>The small layer factories the blocks share (torchvision's conv3x3 / conv1x1).</summary>
internal static class Layers
{
    public static Module<Tensor, Tensor> Conv3x3(long inPlanes, long outPlanes, long stride = 1, long groups = 1) =>
        nn.Conv2d(inPlanes, outPlanes, 3, stride: stride, padding: 1, groups: groups, bias: false);

    public static Module<Tensor, Tensor> Conv1x1(long inPlanes, long outPlanes, long stride = 1) =>
        nn.Conv2d(inPlanes, outPlanes, 1, stride: stride, bias: false);

    /// <summary>BatchNorm2d, or an identity where the configuration has no normalisation.</summary>
    public static Module<Tensor, Tensor> Norm(long features, BlockOptions options) =>
        options.BatchNorm ? nn.BatchNorm2d(features) : nn.Identity();
}

/// <summary>What a block needs from the network configuration.</summary>
/// <param name="Shortcut">How skip connections match shapes.</param>
/// <param name="Residual">False builds the plain twin (no skip connection).</param>
/// <param name="Groups">Convolution groups of the bottleneck's 3x3.</param>
/// <param name="WidthPerGroup">Channels per group of the bottleneck's 3x3 at a stage width of 64.</param>
/// <param name="BatchNorm">Whether norms are BatchNorm2d (else identities).</param>
public sealed record BlockOptions(ShortcutKind Shortcut, bool Residual, int Groups, int WidthPerGroup, bool BatchNorm)
{
    /// <summary>The options of <paramref name="c"/>'s blocks.</summary>
    public static BlockOptions From(ResNetConfig c) => new(c.Shortcut, c.Residual, c.Groups, c.WidthPerGroup, c.BatchNorm);

    /// <summary>The channels of a bottleneck's 3x3 convolution at <paramref name="planes"/> (torchvision's <c>width</c>).</summary>
    internal long BottleneckWidth(long planes) => (long)(planes * (WidthPerGroup / 64.0)) * Groups;
}
