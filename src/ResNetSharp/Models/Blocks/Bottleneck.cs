using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// 1x1 reduce, 3x3 (carrying the stride and the groups: torchvision's ResNet v1.5), 1x1 expand by 4, each with BN.
/// With groups and width per group it is the ResNeXt and Wide ResNet block. Field names are torchvision's.
/// </summary>
public sealed class Bottleneck : ResidualBlock
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2, conv3, bn3, relu;
    private readonly Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <c>4 · planes</c> channels, its 3x3 convolution strided.</summary>
    public Bottleneck(long inPlanes, long planes, long stride, BlockOptions options)
        : this(inPlanes, planes, stride, options, Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: false)) { }

    private Bottleneck(long inPlanes, long planes, long stride, BlockOptions options, (ShortcutPlan Plan, Module<Tensor, Tensor>? Module) shortcut)
        : base(nameof(Bottleneck), BlockPlan.PostActivation(3, shortcut.Plan))
    {
        long width = options.BottleneckWidth(planes);
        conv1 = Layers.Conv1x1(inPlanes, width);
        bn1 = Layers.Norm(width, options);
        conv2 = Layers.Conv3x3(width, width, stride, options.Groups);
        bn2 = Layers.Norm(width, options);
        conv3 = Layers.Conv1x1(width, planes * Expansion);
        bn3 = Layers.Norm(planes * Expansion, options);
        relu = nn.ReLU(inplace: true);
        downsample = shortcut.Module;
        RegisterComponents();
    }
}
