using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Two 3x3 convolutions with BN; the first may be strided. <c>out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))</c>.
/// Field names are torchvision's state_dict names.
/// </summary>
public sealed class BasicBlock : nn.Module<Tensor, Tensor>, IResidualBlock
{
    public const int Expansion = 1;

    private readonly Module<Tensor, Tensor> conv1, bn1, relu, conv2, bn2;
    private readonly Module<Tensor, Tensor>? downsample;
    private readonly bool _residual;

    public BasicBlock(long inPlanes, long planes, long stride, BlockOptions options) : base(nameof(BasicBlock))
    {
        conv1 = Layers.Conv3x3(inPlanes, planes, stride);
        bn1 = Layers.Norm(planes, options);
        relu = nn.ReLU(inplace: true);
        conv2 = Layers.Conv3x3(planes, planes);
        bn2 = Layers.Norm(planes, options);
        downsample = Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: false);
        _residual = options.Residual;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = relu.call(bn1.call(Autocast.Forward(conv1, x)));
        y = bn2.call(Autocast.Forward(conv2, y));
        if (_residual) y = DropPath.Apply(y, DropPathRate, training).add_(downsample is null ? x : Autocast.Forward(downsample, x));
        return relu.call(y).MoveToOuterDisposeScope();
    }

    public double DropPathRate { get; set; }

    public void ZeroInitLast()
    {
        if (bn2 is TorchSharp.Modules.BatchNorm2d bn) using (no_grad()) bn.weight!.zero_();
    }
}
