using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class Bf16ForwardTests
{
    // Every named model but resnet1202: in eval mode at initialisation its 600 un-normalised residual adds grow the
    // activations past bf16's range (which is fp32's), and in training mode batch statistics over a few values amplify
    // bf16 rounding past any useful bound. Its blocks are resnet20's, which runs here.
    public static TheoryData<string> Names => new(ModelZoo.Names.Where(n => n != "resnet1202"));

    [Theory]
    [MemberData(nameof(Names))]
    public void Every_named_model_runs_forward_under_the_bf16_policy_close_to_fp32(string name)
    {
        // Eval mode (running statistics), one small image: the same model once in fp32 and once under the ambient bf16
        // policy, with no cast written in any block. bf16 keeps 8 mantissa bits (relative rounding 2^-8 ~ 0.4% per
        // operation); over a network's depth the errors add up to a few percent (1.5-2.7% for the deepest nets in six
        // runs of every model), but the weights and input are random, and once resnet152v2's output came out small
        // enough at initialisation for 11%. So the bound is 20% of the output's norm (a wrong cast or an overflow is
        // far off it), and the bf16 output must differ from fp32 at all (proof that it computed in bf16).
        using var scope = NewDisposeScope();
        using var model = ResNet.Create(name, numClasses: 5);
        model.eval();
        var input = model.Config.Stem == StemKind.ImageNet ? randn(1, 3, 32, 32)
            : randn(1, 3, 16, 16);
        using var _ = no_grad();
        var fp32 = model.call(input);
        Tensor bf16;
        using (Autocast.Enter(Precision.BF16)) bf16 = model.call(input);

        Assert.Equal(ScalarType.BFloat16, bf16.dtype);
        Assert.True(bf16.isfinite().all().item<bool>(), $"{name}: non-finite bf16 outputs");
        double error = MixedPrecisionTests.RelativeError(bf16, fp32);
        Assert.InRange(error, 1e-5, 0.2);
    }
}
