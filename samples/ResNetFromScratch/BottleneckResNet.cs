using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetFromScratch;

/// <summary>
/// ResNet-50/101/152 by hand: the ImageNet stem (7x7 stride 2, max-pool), four stages built by <see cref="MakeLayer"/>
/// at 64/128/256/512 planes, global average pooling and a 1000-way classifier. With <c>preActivation</c> it is
/// ResNet V2: no BN after the stem, a final BN-ReLU before pooling (<c>final_bn</c>).
/// </summary>
public sealed class BottleneckResNet : Module<Tensor, Tensor>
{
    private readonly Module<Tensor, Tensor> conv1, maxpool, layer1, layer2, layer3, layer4, avgpool, fc;
    private readonly Module<Tensor, Tensor>? bn1, final_bn;

    /// <summary>ResNet-50 is <c>[3, 4, 6, 3]</c> blocks, ResNet-101 <c>[3, 4, 23, 3]</c>, ResNet-152 <c>[3, 8, 36, 3]</c>.</summary>
    public BottleneckResNet(int[] blocks, bool preActivation = false, int numClasses = 1000) : base(nameof(BottleneckResNet))
    {
        conv1 = Conv2d(3, 64, kernel_size: 7, stride: 2, padding: 3, bias: false);
        if (!preActivation) bn1 = BatchNorm2d(64);
        maxpool = MaxPool2d(kernel_size: 3, stride: 2, padding: 1);
        long inPlanes = 64;
        layer1 = MakeLayer(ref inPlanes, 64, blocks[0], stride: 1, preActivation);
        layer2 = MakeLayer(ref inPlanes, 128, blocks[1], stride: 2, preActivation);
        layer3 = MakeLayer(ref inPlanes, 256, blocks[2], stride: 2, preActivation);
        layer4 = MakeLayer(ref inPlanes, 512, blocks[3], stride: 2, preActivation);
        if (preActivation) final_bn = BatchNorm2d(inPlanes);
        avgpool = AdaptiveAvgPool2d(1);
        fc = Linear(inPlanes, numClasses);
        RegisterComponents();
    }

    /// <summary>
    /// torchvision's <c>_make_layer</c>: the first block takes the stride and the width change (so it gets the
    /// projection shortcut), the others keep the shape (identity shortcuts).
    /// </summary>
    private static Module<Tensor, Tensor> MakeLayer(ref long inPlanes, long planes, int blocks, long stride, bool preActivation)
    {
        var layer = new List<Module<Tensor, Tensor>>();
        for (int i = 0; i < blocks; i++)
        {
            layer.Add(new Bottleneck(inPlanes, planes, i == 0 ? stride : 1, preActivation));
            inPlanes = planes * Bottleneck.Expansion;
        }
        return Sequential(layer);
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var y = conv1.call(x);
        if (bn1 is not null) y = functional.relu(bn1.call(y));
        y = maxpool.call(y);
        y = layer4.call(layer3.call(layer2.call(layer1.call(y))));
        if (final_bn is not null) y = functional.relu(final_bn.call(y));
        return fc.call(avgpool.call(y).flatten(1)).MoveToOuterDisposeScope();
    }
}
