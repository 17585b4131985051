using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class ForwardBackwardTests
{
    // Every named model, the 60M-parameter ones included: about 16 s together for the seven largest on 2 idle cores.
    public static TheoryData<string> Names => new(ModelZoo.Names);

    private static Tensor SmallInput(string name, ResNetConfig config) =>
        // 32x32 still leaves layer4 of an ImageNet net a 1x1 map, and batch 2 gives BN more than one value per channel
        // there. resnet1202 (19M parameters, 1202 layers) runs at batch 1, 8x8.
        config.Stem == StemKind.ImageNet ? randn(2, 3, 32, 32)
        : name == "resnet1202" ? randn(1, 3, 8, 8) : randn(2, 3, 16, 16);

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_named_model_runs_forward_and_backward(string name)
    {
        using var scope = NewDisposeScope();
        using var model = ResNet.Create(name, numClasses: 5);
        var input = SmallInput(name, model.Config);
        var output = model.call(input);
        Assert.Equal([input.shape[0], 5], output.shape);

        output.square().mean().backward();
        var grad = model.get_parameter("conv1.weight")!.grad;
        Assert.NotNull(grad);
        Assert.True(grad.isfinite().all().item<bool>(), "conv1.weight has non-finite gradients");
        Assert.True(grad.abs().sum().item<float>() > 0, "conv1.weight has an all-zero gradient");
    }
}
