using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Pre-activation basic block (He et al. 2016, "Identity Mappings in Deep Residual Networks"):
/// <c>out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut</c>, where a projection shortcut sees the pre-activated input.
/// </summary>
public sealed class PreActBasicBlock : ResidualBlock
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 1;

    private readonly Module<Tensor, Tensor> bn1, conv1, bn2, conv2, relu;
    private readonly Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels, its first convolution strided.</summary>
    public PreActBasicBlock(long inPlanes, long planes, long stride, BlockOptions options)
        : this(inPlanes, planes, stride, options, Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: true)) { }

    private PreActBasicBlock(long inPlanes, long planes, long stride, BlockOptions options, (ShortcutPlan Plan, Module<Tensor, Tensor>? Module) shortcut)
        : base(nameof(PreActBasicBlock), BlockPlan.PreActivation(2, shortcut.Plan))
    {
        bn1 = Layers.Norm(inPlanes, options);
        conv1 = Layers.Conv3x3(inPlanes, planes, stride);
        bn2 = Layers.Norm(planes, options);
        conv2 = Layers.Conv3x3(planes, planes);
        relu = nn.ReLU();
        downsample = shortcut.Module;
        RegisterComponents();
    }
}
