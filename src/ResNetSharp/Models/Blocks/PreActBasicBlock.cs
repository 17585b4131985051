using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Pre-activation basic block (He et al. 2016, "Identity Mappings in Deep Residual Networks"):
/// <c>out = conv2(relu(bn2(conv1(relu(bn1(x)))))) + shortcut</c>, where a projection shortcut sees the pre-activated input.
/// </summary>
public sealed class PreActBasicBlock : nn.Module<Tensor, Tensor>, IResidualBlock
{
    public const int Expansion = 1;

    private readonly Module<Tensor, Tensor> bn1, conv1, bn2, conv2, relu;
    private readonly Module<Tensor, Tensor>? downsample;
    private readonly bool _residual;

    public PreActBasicBlock(long inPlanes, long planes, long stride, BlockOptions options) : base(nameof(PreActBasicBlock))
    {
        bn1 = Layers.Norm(inPlanes, options);
        conv1 = Layers.Conv3x3(inPlanes, planes, stride);
        bn2 = Layers.Norm(planes, options);
        conv2 = Layers.Conv3x3(planes, planes);
        relu = nn.ReLU();
        downsample = Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: true);
        _residual = options.Residual;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pre = relu.call(bn1.call(x));
        var y = Autocast.Forward(conv2, relu.call(bn2.call(Autocast.Forward(conv1, pre))));
        if (_residual) y = DropPath.Apply(y, DropPathRate, training).add_(downsample is null ? x : Autocast.Forward(downsample, pre));
        return y.MoveToOuterDisposeScope();
    }

    public double DropPathRate { get; set; }

    public void ZeroInitLast()
    {
        if (conv2 is TorchSharp.Modules.Conv2d conv) using (no_grad()) conv.weight!.zero_();
    }
}
