using ResNetSharp.Inference;
using ResNetSharp.Models;
using ResNetSharp.Runtime;
using ResNetSharp.Tests.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Inference;

public class FusedResNetTests
{
    public static TheoryData<string> Models => new()
    {
        "small_resnet",   // projection shortcuts (conv + BN), stem bias
        "resnet20",       // option A zero-padded shortcuts
        "plain20",        // no skip connections
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void FusedFallbackEqualsTheEvalModeModel(string name)
    {
        manual_seed(5);
        using var model = ResNet.Create(name);
        BatchNormFoldingTests.Randomise(model);
        model.eval();
        var x = randn(2, 3, 16, 16);
        using var fused = new FusedResNet(model);
        Assert.False(fused.UsesCudnnFusion);
        Assert.True(fused.call(x).allclose(model.call(x), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void BottleneckImageNetStemAndHeadsFuse()
    {
        manual_seed(6);
        var config = new ResNetConfig { Block = BlockKind.Bottleneck, Layers = [1, 1], Widths = [8, 16], Stem = StemKind.ImageNet, NumClasses = 4 };
        using var model = new ResNet(config);
        BatchNormFoldingTests.Randomise(model);
        model.eval();
        var x = randn(2, 3, 32, 32);
        using (var fused = new FusedResNet(model))
            Assert.True(fused.call(x).allclose(model.call(x), rtol: 1e-4, atol: 1e-4));
        using var pooled = new ResNet(config with { Head = HeadKind.MaxPool });
        pooled.eval();
        using (var fused = new FusedResNet(pooled))
            Assert.True(fused.call(x).allclose(pooled.call(x), rtol: 1e-4, atol: 1e-4));
    }

    [Fact]
    public void Bf16ChannelsLastFusedPathEqualsTheModelWithinBf16Tolerance()
    {
        manual_seed(8);
        using var model = ResNet.Create("small_resnet");
        BatchNormFoldingTests.Randomise(model);
        model.eval();
        var x = randn(2, 3, 8, 8);
        using var fused = new FusedResNet(model, Precision.BF16, channelsLast: true);
        var y = fused.call(x);
        Assert.Equal(ScalarType.Float32, y.dtype);
        Assert.True(MixedPrecisionTests.RelativeError(y, model.call(x)) < 3e-2);
        // The cast and the layout change are one copy; inputs already channels_last, or already bf16 too, agree exactly.
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(fused.Source, "memory_format"));
        var cl = ChannelsLast.Convert(x);
        Assert.True(fused.call(cl).allclose(y, rtol: 0, atol: 0));
        Assert.True(fused.call(cl.to(ScalarType.BFloat16)).allclose(y, rtol: 0, atol: 0));
    }

    [Theory]
    [InlineData("small_resnet", false)]   // CIFAR stem with bias
    [InlineData("resnet18", true)]        // ImageNet 7x7 stem, channels_last
    public void PaddingTheStemInputChannelsGivesTheSameOutput(string name, bool channelsLast)
    {
        manual_seed(9);
        using var model = ResNet.Create(name, numClasses: 5);
        BatchNormFoldingTests.Randomise(model);
        model.eval();
        var x = randn(2, 3, 32, 32);
        using var plain = new FusedResNet(model, channelsLast: channelsLast);
        using var padded = new FusedResNet(model, channelsLast: channelsLast, stemChannels: 8);
        Assert.Contains("constant_pad_nd(x, [0, 0, 0, 0, 0, 5]", padded.Source);
        Assert.True(padded.call(x).allclose(plain.call(x), rtol: 1e-5, atol: 1e-5));
        Assert.True(padded.call(x).allclose(model.call(x), rtol: 1e-4, atol: 1e-4));
        Assert.Contains("more input channels", Assert.Throws<ResNetSharpException>(() => new FusedResNet(model, stemChannels: 2)).Message);
    }

    [Fact]
    public void PreActivationModelsAreAClearError()
    {
        using var model = ResNet.Create("resnet18v2");
        var e = Assert.Throws<ResNetSharpException>(() => new FusedResNet(model));
        Assert.Contains("post-activation", e.Message);
    }
}
