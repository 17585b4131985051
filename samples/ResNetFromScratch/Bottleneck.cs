using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetFromScratch;

/// <summary>
/// The bottleneck block of ResNet-50/101/152 (torchvision's v1.5: the stride sits on the 3x3): 1x1 reduces to
/// <c>planes</c> channels, 3x3 works at that width, 1x1 expands by <see cref="Expansion"/>; then <c>F(x) + shortcut(x)</c>.
/// With <c>preActivation</c> it is the block of ResNet V2 (He et al. 2016, Keras' <c>ResNet50V2</c>): BN-ReLU come
/// before each convolution, nothing follows the addition, and a projection sees the pre-activated input.
/// </summary>
public sealed class Bottleneck : Module<Tensor, Tensor>
{
    /// <summary>Output channels per <c>planes</c>.</summary>
    public const int Expansion = 4;

    private readonly Module<Tensor, Tensor> conv1, bn1, conv2, bn2, conv3, bn3;
    private readonly Module<Tensor, Tensor>? downsample;
    private readonly bool _preActivation;

    /// <summary>A block from <paramref name="inPlanes"/> to <paramref name="planes"/> × 4 channels.</summary>
    public Bottleneck(long inPlanes, long planes, long stride, bool preActivation) : base(nameof(Bottleneck))
    {
        _preActivation = preActivation;
        long outPlanes = planes * Expansion;
        // Post-activation normalises each conv's output; pre-activation normalises each conv's input.
        bn1 = BatchNorm2d(preActivation ? inPlanes : planes);
        conv1 = Conv2d(inPlanes, planes, kernel_size: 1, bias: false);
        bn2 = BatchNorm2d(planes);
        conv2 = Conv2d(planes, planes, kernel_size: 3, stride: stride, padding: 1, bias: false);
        bn3 = BatchNorm2d(preActivation ? planes : outPlanes);
        conv3 = Conv2d(planes, outPlanes, kernel_size: 1, bias: false);
        if (stride != 1 || inPlanes != outPlanes)
        {
            var projection = Conv2d(inPlanes, outPlanes, kernel_size: 1, stride: stride, bias: false);
            downsample = preActivation ? Sequential(projection) : Sequential(projection, BatchNorm2d(outPlanes));
        }
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        if (_preActivation)
        {
            var pre = functional.relu(bn1.call(x));
            var f = conv1.call(pre);
            f = conv2.call(functional.relu(bn2.call(f)));
            f = conv3.call(functional.relu(bn3.call(f)));
            return (f + (downsample is null ? x : downsample.call(pre))).MoveToOuterDisposeScope();
        }
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = functional.relu(bn2.call(conv2.call(y)));
        y = bn3.call(conv3.call(y));
        return functional.relu(y + (downsample is null ? x : downsample.call(x))).MoveToOuterDisposeScope();
    }
}
