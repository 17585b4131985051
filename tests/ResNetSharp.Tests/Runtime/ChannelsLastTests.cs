using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Runtime;

public class ChannelsLastTests
{
    [Fact]
    public void ConvertGivesChannelsLastStridesAndKeepsValues()
    {
        var x = randn(2, 3, 4, 5);
        var y = ChannelsLast.Convert(x);
        // NHWC in memory: C is fastest (1), then W (C), then H (W*C), then N (H*W*C).
        Assert.Equal(new long[] { 60, 1, 15, 3 }, y.stride());
        Assert.True(ChannelsLast.IsChannelsLast(y));
        Assert.False(ChannelsLast.IsChannelsLast(x));
        Assert.True(y.allclose(x, rtol: 0, atol: 0));
        Assert.Throws<ResNetSharpException>(() => ChannelsLast.Convert(randn(3, 4)));
    }

    [Fact]
    public void OneChannelTensorsAndTheirModelsGetChannelsLastStridesAndOutputs()
    {
        // With C = 1 a contiguous tensor already counts as channels_last-contiguous to libtorch, so contiguous() would
        // keep its NCHW strides, and a one-channel stem would then run in NCHW (libtorch picks a convolution's layout from
        // its input's and weight's strides). Convert gives the strides themselves, so the stem's output is channels_last.
        using var x = randn(2, 1, 4, 5);
        using var y = ChannelsLast.Convert(x);
        Assert.Equal(new long[] { 20, 1, 5, 1 }, y.stride());
        Assert.True(y.allclose(x, rtol: 0, atol: 0));
        using var model = ResNet.Create("resnet20", inChannels: 1);
        ChannelsLast.Apply(model);
        Assert.All(model.parameters().Where(p => p.dim() == 4), p => Assert.True(ChannelsLast.IsChannelsLast(p)));
        using var features = model.ForwardFeatures(ChannelsLast.Convert(randn(2, 1, 16, 16)));
        Assert.True(ChannelsLast.IsChannelsLast(features));
    }

    [Fact]
    public void ChannelsLastModelEqualsNchwModel()
    {
        manual_seed(3);
        using var model = ResNet.Create("resnet20");
        model.eval();
        var x = randn(2, 3, 16, 16);
        var expected = model.call(x);
        var parameters = model.parameters().ToList();
        ChannelsLast.Apply(model);
        // Same parameter objects (an optimizer keeps working), conv weights now NHWC.
        Assert.True(parameters.Zip(model.parameters()).All(p => ReferenceEquals(p.First, p.Second)));
        Assert.All(model.parameters().Where(p => p.dim() == 4), p => Assert.True(ChannelsLast.IsChannelsLast(p)));
        var actual = model.call(ChannelsLast.Convert(x));
        Assert.True(actual.allclose(expected, rtol: 1e-4, atol: 1e-5));
    }

    [Fact]
    public void CudnnBenchmarkFlagRoundTripsThroughLibtorch()
    {
        bool before = CuDnn.Benchmark;
        try
        {
            CuDnn.Benchmark = true;
            Assert.True(CuDnn.Benchmark);
            CuDnn.Benchmark = false;
            Assert.False(CuDnn.Benchmark);
        }
        finally
        {
            CuDnn.Benchmark = before;
        }
    }
}
