using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetFromScratch;

/// <summary>
/// The tutorial's small network: a 3x3 stem, stage 1 (identity shortcut, 16 channels), stage 2 (stride 2 and 32
/// channels: a projection shortcut), global average pooling and a linear classifier.
/// </summary>
public sealed class TwoStageResNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, bn1, layer1, layer2, avgpool, fc;

    /// <summary>A two-stage net for 3-channel images and <paramref name="numClasses"/> classes.</summary>
    public TwoStageResNet(int numClasses) : base(nameof(TwoStageResNet))
    {
        conv1 = Conv2d(3, 16, kernel_size: 3, padding: 1, bias: false);
        bn1 = BatchNorm2d(16);
        layer1 = new BasicBlock(16, 16);
        layer2 = new BasicBlock(16, 32, stride: 2);
        avgpool = AdaptiveAvgPool2d(1);
        fc = Linear(32, numClasses);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = functional.relu(bn1.call(conv1.call(x)));
        y = layer2.call(layer1.call(y));
        return fc.call(avgpool.call(y).flatten(1)).MoveToOuterDisposeScope();
    }
}
