using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Two 3x3 convolutions with BN; the first may be strided. <c>out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>.
/// Field names are torchvision's state_dict names.
/// </summary>
public sealed class BasicBlock : ResidualBlock
{
    /// <summary>Output channels per plane.</summary>
    public const int Expansion = 1;

    private readonly Module<Tensor, Tensor> conv1, bn1, relu, conv2, bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels, its first convolution strided.</summary>
    public BasicBlock(long inPlanes, long planes, long stride, BlockOptions options)
        : this(inPlanes, planes, stride, options, Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: false)) { }

    private BasicBlock(long inPlanes, long planes, long stride, BlockOptions options, (ShortcutPlan Plan, Module<Tensor, Tensor>? Module) shortcut)
        : base(nameof(BasicBlock), BlockPlan.PostActivation(2, shortcut.Plan))
    {
        conv1 = Layers.Conv3x3(inPlanes, planes, stride);
        bn1 = Layers.Norm(planes, options);
        relu = nn.ReLU(inplace: true);
        conv2 = Layers.Conv3x3(planes, planes);
        bn2 = Layers.Norm(planes, options);
        downsample = shortcut.Module;
        RegisterComponents();
    }
}
