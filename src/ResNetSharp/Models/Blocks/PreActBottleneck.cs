using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// Pre-activation bottleneck (He et al. 2016): BN-ReLU-1x1, BN-ReLU-3x3 (strided, grouped), BN-ReLU-1x1 expand by 4,
/// plus the shortcut; a projection shortcut sees the pre-activated input.
/// </summary>
public sealed class PreActBottleneck : nn.Module<Tensor, Tensor>, IResidualBlock
{
    public const int Expansion = 4;

    private readonly Module<Tensor, Tensor> bn1, conv1, bn2, conv2, bn3, conv3, relu;
    private readonly Module<Tensor, Tensor>? downsample;
    private readonly bool _residual;

    public PreActBottleneck(long inPlanes, long planes, long stride, BlockOptions options) : base(nameof(PreActBottleneck))
    {
        long width = (long)(planes * (options.WidthPerGroup / 64.0)) * options.Groups;
        bn1 = Layers.Norm(inPlanes, options);
        conv1 = Layers.Conv1x1(inPlanes, width);
        bn2 = Layers.Norm(width, options);
        conv2 = Layers.Conv3x3(width, width, stride, options.Groups);
        bn3 = Layers.Norm(width, options);
        conv3 = Layers.Conv1x1(width, planes * Expansion);
        relu = nn.ReLU();
        downsample = Shortcut.Create(inPlanes, planes * Expansion, stride, options, preActivation: true);
        _residual = options.Residual;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var pre = relu.call(bn1.call(x));
        var y = Autocast.Forward(conv1, pre);
        y = Autocast.Forward(conv2, relu.call(bn2.call(y)));
        y = Autocast.Forward(conv3, relu.call(bn3.call(y)));
        if (_residual) y = DropPath.Apply(y, DropPathRate, training).add_(downsample is null ? x : Autocast.Forward(downsample, pre));
        return y.MoveToOuterDisposeScope();
    }

    public double DropPathRate { get; set; }

    public void ZeroInitLast()
    {
        if (conv3 is TorchSharp.Modules.Conv2d conv) using (no_grad()) conv.weight!.zero_();
    }
}
