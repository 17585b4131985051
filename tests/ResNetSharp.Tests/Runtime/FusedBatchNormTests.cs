using System.Runtime.Intrinsics;
using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.Runtime.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Runtime;

public class FusedBatchNormTests
{
    // The reference is the unfused ops in float on the same bf16 values: the fused kernels compute in float and round
    // once, so the output and the input gradients agree to bf16's rounding (measured 1.7e-3 relative), the weight and
    // bias gradients and the running statistics to float's (under 1e-6). The kernels are called directly (not through Supports), so the tests also cover
    // CPUs without AVX-512, where the portable vector code runs.
    [Theory]
    [InlineData(16, false, 2, 5, 7)]      // one vector of channels, 70 rows
    [InlineData(48, true, 2, 5, 7)]       // three vectors, with a skip
    [InlineData(80, true, 3, 4, 4)]       // a second block of 64 channels in the sums
    [InlineData(32, false, 8, 16, 16)]    // 65,536 values: shared between two threads where there are two
    [InlineData(32, true, 8, 16, 16)]
    [InlineData(32, true, 3, 5, 7)]       // 105 rows: a last row after the runs of 64 values
    [InlineData(64, false, 2, 5, 7)]
    [InlineData(16, true, 5, 29, 29)]     // 4,205 rows, an odd share per thread, a last block of 54 rows
    public void Matches_batch_norm_add_and_relu_computed_in_float(int channels, bool withSkip, int n, int h, int w)
    {
        var g = new Generator((ulong)(channels * 100 + h));
        Tensor Bf16(params long[] shape) => ChannelsLast.Convert(randn(shape, generator: g).mul_(1.5).add_(0.3).to(ScalarType.BFloat16));
        using var x0 = Bf16(n, channels, h, w);
        using var skip0 = Bf16(n, channels, h, w);
        using var grad = Bf16(n, channels, h, w);
        using var bn = nn.BatchNorm2d(channels);
        using var reference = nn.BatchNorm2d(channels);
        using (no_grad())
        {
            bn.weight!.copy_(rand(channels, generator: g).add_(0.5));
            bn.bias!.copy_(randn(channels, generator: g).mul_(0.2));
            reference.load_state_dict(bn.state_dict());
        }

        using var x = x0.detach().requires_grad_();
        using var skip = skip0.detach().requires_grad_();
        using var y = BatchNormReluFunction.apply(x, withSkip ? skip : null!, bn.weight!, bn.bias!, bn);
        y.backward([grad]);

        using var xf = x0.to(ScalarType.Float32).requires_grad_();
        using var skipf = skip0.to(ScalarType.Float32).requires_grad_();
        var z = reference.call(xf);
        using var yf = nn.functional.relu(withSkip ? z + skipf : z);
        yf.backward([grad.to(ScalarType.Float32)]);

        Assert.Equal(ScalarType.BFloat16, y.dtype);
        Assert.True(ChannelsLast.IsChannelsLast(y) && ChannelsLast.IsChannelsLast(x.grad!));
        AssertClose(yf, y, 3e-3, "output");
        AssertClose(xf.grad!, x.grad!, 3e-3, "input gradient");
        if (withSkip) AssertClose(skipf.grad!, skip.grad!, 3e-3, "skip gradient");
        else Assert.Null(skip.grad);
        AssertClose(reference.weight!.grad!, bn.weight!.grad!, 1e-5, "weight gradient");
        AssertClose(reference.bias!.grad!, bn.bias!.grad!, 1e-5, "bias gradient");
        AssertClose(reference.running_mean!, bn.running_mean!, 2e-6, "running mean");
        AssertClose(reference.running_var!, bn.running_var!, 2e-6, "running variance");
        Assert.Equal(1, bn.num_batches_tracked!.item<long>());
    }

    // A stem-like norm p = relu(bn1(a)) feeds a block: h = p·m (standing for its convolutions), then
    // q = relu(bn2(h) + p). Within DeferSkipGradients the second norm hands p's skip gradient to the first one's
    // backward instead of to autograd, so autograd's view of p's gradient lacks the skip's share; outside it, autograd
    // adds the two. Either way, the gradients of a and of the weights are those of the unfused ops in float, to 1e-2:
    // p and h are rounded to bf16 between the ops here (the reference keeps them in float), which compounds to about
    // 4e-3 (measured); a lost skip share would be an error of tens of percent.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_skip_from_an_earlier_fused_norm_defers_its_gradient_only_within_the_scope(bool deferring)
    {
        var g = new Generator(5);
        Tensor Bf16(params long[] shape) => ChannelsLast.Convert(randn(shape, generator: g).mul_(1.5).add_(0.3).to(ScalarType.BFloat16));
        using var a0 = Bf16(4, 32, 6, 6);
        using var m = Bf16(4, 32, 6, 6);
        using var grad = Bf16(4, 32, 6, 6);
        using var bn1 = nn.BatchNorm2d(32);
        using var bn2 = nn.BatchNorm2d(32);
        using var reference1 = nn.BatchNorm2d(32);
        using var reference2 = nn.BatchNorm2d(32);
        using (no_grad())
        {
            foreach (var bn in new[] { bn1, bn2 })
            {
                bn.weight!.copy_(rand(32, generator: g).add_(0.5));
                bn.bias!.copy_(randn(32, generator: g).mul_(0.2));
            }
            reference1.load_state_dict(bn1.state_dict());
            reference2.load_state_dict(bn2.state_dict());
        }

        using var a = a0.detach().requires_grad_();
        Tensor p;
        using (deferring ? FusedBatchNorm.DeferSkipGradients() : null)
        {
            p = BatchNormReluFunction.apply(a, null!, bn1.weight!, bn1.bias!, bn1);
            p.retain_grad();
            using var h = p * m;
            using var q = BatchNormReluFunction.apply(h, p, bn2.weight!, bn2.bias!, bn2);
            q.backward([grad]);
        }

        using var af = a0.to(ScalarType.Float32).requires_grad_();
        using var pf = nn.functional.relu(reference1.call(af));
        pf.retain_grad();
        using var hf = pf * m.to(ScalarType.Float32);
        hf.retain_grad();
        using var qf = nn.functional.relu(reference2.call(hf) + pf);
        qf.backward([grad.to(ScalarType.Float32)]);

        AssertClose(af.grad!, a.grad!, 1e-2, "input gradient");
        AssertClose(reference1.weight!.grad!, bn1.weight!.grad!, 1e-2, "first weight gradient");
        AssertClose(reference2.weight!.grad!, bn2.weight!.grad!, 1e-2, "second weight gradient");
        using var throughProduct = hf.grad! * m.to(ScalarType.Float32);   // p's gradient without the skip's share
        AssertClose(deferring ? throughProduct : pf.grad!, p.grad!, 1e-2, "p's gradient as autograd sees it");
        Assert.False(FusedBatchNorm.DefersSkipGradients);
        p.Dispose();
    }

    [Fact]
    public void Without_a_momentum_the_running_statistics_are_the_cumulative_average()
    {
        var g = new Generator(3);
        using var bn = nn.BatchNorm2d(16);
        bn.momentum = null;
        var batches = Enumerable.Range(0, 3).Select(_ => ChannelsLast.Convert(randn([4, 16, 3, 3], generator: g).add_(2).to(ScalarType.BFloat16))).ToArray();
        foreach (var batch in batches)
            using (no_grad()) BatchNormReluFunction.apply(batch, null!, bn.weight!, bn.bias!, bn).Dispose();
        using var means = stack(batches.Select(b => b.to(ScalarType.Float32).mean([0, 2, 3])).ToArray()).mean([0]);
        AssertClose(means, bn.running_mean!, 1e-5, "running mean");
        Assert.Equal(3, bn.num_batches_tracked!.item<long>());
        foreach (var batch in batches) batch.Dispose();
    }

    [Fact]
    public void Supports_training_in_bf16_channels_last_only()
    {
        using var bn = nn.BatchNorm2d(16);
        using var x = ChannelsLast.Convert(randn(2, 16, 3, 3).to(ScalarType.BFloat16));
        bn.train();
        bool hardware = Vector512.IsHardwareAccelerated && OpenMp.Available && FusedBatchNorm.Enabled;
        Assert.Equal(hardware, FusedBatchNorm.Supports(bn, x));
        Assert.Equal(hardware, FusedBatchNorm.Supports(bn, x, x));
        using (var nchw = x.contiguous()) Assert.False(FusedBatchNorm.Supports(bn, nchw));
        using (var fp32 = x.to(ScalarType.Float32)) Assert.False(FusedBatchNorm.Supports(bn, fp32));
        using (var other = ChannelsLast.Convert(randn(2, 16, 2, 2).to(ScalarType.BFloat16))) Assert.False(FusedBatchNorm.Supports(bn, x, other));
        using (var eight = nn.BatchNorm2d(8))
        using (var x8 = ChannelsLast.Convert(randn(2, 8, 3, 3).to(ScalarType.BFloat16)))
            Assert.False(FusedBatchNorm.Supports(eight, x8));
        FusedBatchNorm.RunAsModule(bn);
        Assert.False(FusedBatchNorm.Supports(bn, x));
        FusedBatchNorm.RunAsModule(bn, keep: false);
        Assert.Equal(hardware, FusedBatchNorm.Supports(bn, x));
        bn.eval();
        Assert.False(FusedBatchNorm.Supports(bn, x));
        var error = Assert.Throws<ResNetSharpException>(() => FusedBatchNorm.Apply(bn, x));
        Assert.Contains("Supports", error.Message);
    }

    [Fact]
    public void A_resnet20_training_step_is_as_accurate_as_the_unfused_modules()
    {
        // Three copies of the same resnet20 (one input channel, as Fashion-MNIST trains it) take one step: in fp32 (the
        // reference), and in bf16 channels_last with and without the fused path (the second copy keeps every batch norm
        // on its module). Forward hooks count the norms that ran as modules: none in the fused copy where the CPU has
        // AVX-512, all 19 in the others. bf16 rounds differently on the two paths (the fused one once, the modules after
        // each op), so the gradients are compared with the fp32 ones, all parameters together (single small parameters
        // such as the stem's bias differ by tens of percent in bf16 on either path): the fused path's error must be no
        // larger than the modules' (with a margin of a third, and 1% of slack for tiny errors).
        var g = new Generator(11);
        using var fp32 = ResNet.Create("resnet20", numClasses: 10, inChannels: 1);
        using var fused = ResNet.Create("resnet20", numClasses: 10, inChannels: 1);
        using var modules = ResNet.Create("resnet20", numClasses: 10, inChannels: 1);
        fused.load_state_dict(fp32.state_dict());
        modules.load_state_dict(fp32.state_dict());
        var norms = modules.modules().OfType<BatchNorm2d>().ToList();
        foreach (var bn in norms) FusedBatchNorm.RunAsModule(bn);
        using var x = randn([16, 1, 28, 28], generator: g);
        using var labels = randint(0, 10, [16], generator: g);
        var (referenceLoss, _) = Step(fp32, x, labels, Precision.FP32);
        var (fusedLoss, fusedCalls) = Step(fused, x, labels, Precision.BF16);
        var (moduleLoss, moduleCalls) = Step(modules, x, labels, Precision.BF16);

        Assert.Equal(19, norms.Count);
        Assert.Equal(19, moduleCalls);
        Assert.Equal(Vector512.IsHardwareAccelerated && OpenMp.Available && FusedBatchNorm.Enabled ? 0 : 19, fusedCalls);
        Assert.True(Math.Abs(fusedLoss - referenceLoss) <= 1.34 * Math.Abs(moduleLoss - referenceLoss) + 0.01 * referenceLoss,
            $"loss {fusedLoss} (modules {moduleLoss}, fp32 {referenceLoss})");
        using var reference = Gradients(fp32);
        using var fusedGradients = Gradients(fused);
        using var moduleGradients = Gradients(modules);
        double fusedError = RelativeError(reference, fusedGradients), moduleError = RelativeError(reference, moduleGradients);
        Assert.True(fusedError <= 1.34 * moduleError + 0.01, $"gradient error {fusedError:F4} against the modules' {moduleError:F4}");
    }

    /// <summary>All the parameters' gradients, in one vector.</summary>
    private static Tensor Gradients(ResNet model) => cat(model.parameters().Select(p => p.grad!.flatten()).ToArray());

    private static (float Loss, int NormCalls) Step(ResNet model, Tensor x, Tensor labels, Precision precision)
    {
        int calls = 0;
        var hooks = model.modules().OfType<BatchNorm2d>().Select(bn => bn.register_forward_hook((_, _, y) => { calls++; return y; })).ToList();
        FastPath.Prepare(model, channelsLast: precision != Precision.FP32);
        model.train();
        using var scope = NewDisposeScope();
        Tensor Forward() => nn.functional.cross_entropy(model.call(precision == Precision.FP32 ? x : ChannelsLast.Convert(x)).to(ScalarType.Float32), labels);
        using var deferring = FusedBatchNorm.DeferSkipGradients();   // as TrainStep runs it
        var loss = FastPath.ForwardWrapper(precision) is { } wrapper ? wrapper(Forward) : Forward();
        loss.backward();
        foreach (var hook in hooks) hook.remove();
        return (loss.item<float>(), calls);
    }

    private static double RelativeError(Tensor expected, Tensor actual)
    {
        using var e = expected.detach().to(ScalarType.Float64);
        using var a = actual.detach().to(ScalarType.Float64);
        return (a - e).norm().item<double>() / Math.Max(e.norm().item<double>(), 1e-12);
    }

    private static void AssertClose(Tensor expected, Tensor actual, double tolerance, string what)
    {
        double error = RelativeError(expected, actual);
        Assert.True(error < tolerance, $"{what}: relative error {error:E2} (tolerance {tolerance:E0})");
    }
}
