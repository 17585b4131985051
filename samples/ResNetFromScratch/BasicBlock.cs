using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetFromScratch;

/// <summary>
/// The residual block of He et al. (2015), written by hand: <c>out = relu(F(x) + shortcut(x))</c>, where
/// <c>F</c> is conv3x3-BN-ReLU-conv3x3-BN. When the block changes the stride or the width, <c>x</c> no longer has
/// <c>F(x)</c>'s shape, so the shortcut becomes a projection: a strided 1x1 convolution and BN.
/// The field names become the state_dict names (<c>conv1.weight</c>, <c>downsample.0.weight</c>), as in torchvision.
/// </summary>
public sealed class BasicBlock : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
    private readonly Module<Tensor, Tensor>? downsample;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> channels; the first conv carries the stride.</summary>
    public BasicBlock(long inPlanes, long planes, long stride = 1) : base(nameof(BasicBlock))
    {
        conv1 = Conv2d(inPlanes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn1 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, kernel_size: 3, padding: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        // The projection shortcut, only where the identity would not fit.
        if (stride != 1 || inPlanes != planes)
            downsample = Sequential(Conv2d(inPlanes, planes, kernel_size: 1, stride: stride, bias: false), BatchNorm2d(planes));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        // Every temporary made here is freed when the scope ends; only the result moves out.
        using var scope = NewDisposeScope();
        var f = bn2.call(conv2.call(functional.relu(bn1.call(conv1.call(x)))));
        var shortcut = downsample is null ? x : downsample.call(x);
        return functional.relu(f + shortcut).MoveToOuterDisposeScope();
    }
}
