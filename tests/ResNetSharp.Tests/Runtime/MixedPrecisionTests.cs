using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Runtime;

public class MixedPrecisionTests
{
    [Fact]
    public void Bf16PolicyTrainingTracksFp32Training()
    {
        // Same initial weights, same batch: 10 SGD steps on a small net, once in fp32 and once under the bf16 policy.
        // bf16 keeps 8 mantissa bits (relative rounding 2^-8 ~ 0.4%), so the loss curves agree to a few percent;
        // the stated tolerance is 5% of the fp32 loss at every step, and both must fit the batch (loss falls by a third).
        // Everything random is drawn once, up front: tests running in parallel share the global generator.
        manual_seed(7);
        using var reference = ResNet.Create("small_resnet");
        var x = randn(8, 3, 8, 8);
        var y = randint(0, 10, [8]);
        var fp32 = Train(reference, x, y, Precision.FP32);
        var bf16 = Train(reference, x, y, Precision.BF16);
        for (int i = 0; i < fp32.Length; i++)
            Assert.True(Math.Abs(bf16[i] - fp32[i]) <= 0.05 * fp32[i], $"step {i}: bf16 loss {bf16[i]} vs fp32 {fp32[i]}");
        Assert.True(fp32[^1] < 0.67 * fp32[0] && bf16[^1] < 0.67 * bf16[0], $"losses did not fall: {string.Join(", ", fp32)} / {string.Join(", ", bf16)}");
    }

    private static float[] Train(ResNet reference, Tensor x, Tensor y, Precision precision)
    {
        using var model = new ResNet(reference.Config);
        model.load_state_dict(reference.state_dict());
        using var optimizer = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        var wrapper = FastPath.ForwardWrapper(precision);
        var losses = new float[10];
        model.train();
        for (int i = 0; i < losses.Length; i++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            Tensor Forward() => nn.functional.cross_entropy(model.call(x).to(ScalarType.Float32), y);
            var loss = wrapper?.Invoke(Forward) ?? Forward();
            loss.backward();
            optimizer.step();
            losses[i] = loss.item<float>();
        }
        // Master weights, their gradients and the batch-norm statistics stay fp32 under the policy.
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.grad!.dtype));
        Assert.All(model.buffers().Where(b => b.is_floating_point()), b => Assert.Equal(ScalarType.Float32, b.dtype));
        return losses;
    }

    [Fact]
    public void AutocastRunsConvolutionsAndLinearLayersInBf16()
    {
        // The policy is ambient: plain module calls inside the scope compute in bf16, the loss in fp32.
        using var conv = nn.Conv2d(3, 4, 3, padding: 1);
        using var linear = nn.Linear(5, 2);
        var x = randn(2, 3, 6, 6);
        var v = randn(3, 5);
        var fp32 = conv.call(x);
        using (Autocast.Enter(Precision.BF16))
        {
            var y = conv.call(x);
            Assert.Equal(ScalarType.BFloat16, y.dtype);
            // Against fp32 arithmetic: bf16 operands give relative errors between 1e-3 and 1e-2.
            Assert.InRange(RelativeError(y, fp32), 1e-5, 2e-2);
            var logits = linear.call(v);
            Assert.Equal(ScalarType.BFloat16, logits.dtype);
            Assert.Equal(ScalarType.Float32, nn.functional.cross_entropy(logits, tensor(new long[] { 0, 1, 0 })).dtype);
            using (Autocast.Enter(Precision.FP32)) Assert.Equal(ScalarType.Float32, conv.call(x).dtype);
            Assert.Equal(ScalarType.BFloat16, Autocast.ComputeType);
            Assert.Equal(ScalarType.BFloat16, conv.call(x).dtype);
        }
        Assert.Null(Autocast.ComputeType);
        Assert.Equal(ScalarType.Float32, conv.call(x).dtype);
    }

    [Fact]
    public void PrecisionNamesParseAndUnknownOnesAreClearErrors()
    {
        Assert.Equal(Precision.BF16, Precisions.Parse("BF16"));
        Assert.Equal(Precision.FP32, Precisions.Parse("fp32"));
        var e = Assert.Throws<ResNetSharpException>(() => Precisions.Parse("fp8"));
        Assert.Contains("fp32 or bf16", e.Message);
    }

    internal static double RelativeError(Tensor actual, Tensor expected) =>
        actual.to(ScalarType.Float64).sub(expected.to(ScalarType.Float64)).norm().item<double>() / expected.to(ScalarType.Float64).norm().item<double>();
}
