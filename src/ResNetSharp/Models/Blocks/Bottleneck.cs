using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// 1x1 reduce, 3x3 (carrying the stride and the groups: torchvision's ResNet v1.5), 1x1 expand by 4, each with BN.
/// With groups and width per group it is the ResNeXt and Wide ResNet block. Field names are torchvision's.
/// </summary>
public sealed class Bottleneck : nn.Module<Tensor, Tensor>, IResidualBlock
{
    public const int Expansion = 4;

    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2, conv3, bn3, relu;
    private readonly Module<Tensor, Tensor>? downsample;
    private readonly bool _residual;

    public Bottleneck(long inPlanes, long planes, long stride, BlockOptions options) : base(nameof(Bottleneck))
    {
        long width = (long)(planes * (options.WidthPerGroup / 64.0)) * options.Groups;
        conv1 = Layers.Conv1x1(inPlanes, width);
        bn1 = Layers.Norm(width, options);
        conv2 = Layers.Conv3x3(width, width, stride, options.Groups);
        bn2 = Layers.Norm(width, options);
        conv3 = Layers.Conv1x1(width, planes * Expansion);
        bn3 = Layers.Norm(planes * Expansion, options);
        relu = nn.ReLU(inplace: true);
        downsample = Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: false);
        _residual = options.Residual;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = relu.call(bn1.call(Autocast.Forward(conv1, x)));
        y = relu.call(bn2.call(Autocast.Forward(conv2, y)));
        y = bn3.call(Autocast.Forward(conv3, y));
        if (_residual) y = DropPath.Apply(y, DropPathRate, training).add_(downsample is null ? x : Autocast.Forward(downsample, x));
        return relu.call(y).MoveToOuterDisposeScope();
    }

    public double DropPathRate { get; set; }

    public void ZeroInitLast()
    {
        if (bn3 is TorchSharp.Modules.BatchNorm2d bn) using (no_grad()) bn.weight!.zero_();
    }
}
