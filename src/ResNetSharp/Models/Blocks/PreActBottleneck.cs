using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Pre-activation bottleneck (He et al. 2016): BN-ReLU-1x1, BN-ReLU-3x3 (strided, grouped), BN-ReLU-1x1 expand by 4,
/// plus the shortcut; a projection shortcut sees the pre-activated input.
/// </summary>
public sealed class PreActBottleneck : ResidualBlock
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 4;

    private readonly Module<Tensor, Tensor> bn1, conv1, bn2, conv2, bn3, conv3, relu;
    private readonly Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <c>4 · planes</c> channels, its 3x3 convolution strided.</summary>
    public PreActBottleneck(long inPlanes, long planes, long stride, BlockOptions options)
        : this(inPlanes, planes, stride, options, Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: true)) { }

    private PreActBottleneck(long inPlanes, long planes, long stride, BlockOptions options, (ShortcutPlan Plan, Module<Tensor, Tensor>? Module) shortcut)
        : base(nameof(PreActBottleneck), BlockPlan.PreActivation(3, shortcut.Plan))
    {
        long width = options.BottleneckWidth(planes);
        bn1 = Layers.Norm(inPlanes, options);
        conv1 = Layers.Conv1x1(inPlanes, width);
        bn2 = Layers.Norm(width, options);
        conv2 = Layers.Conv3x3(width, width, stride, options.Groups);
        bn3 = Layers.Norm(width, options);
        conv3 = Layers.Conv1x1(width, planes * Expansion);
        relu = nn.ReLU();
        downsample = shortcut.Module;
        RegisterComponents();
    }
}
