using ResNetSharp.Models;
using ResNetSharp.Models.Blocks;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Models;

public class ResidualTests
{
    // x = 0..31 as [1, 2, 4, 4]: channel 0 holds 0..15, channel 1 holds 16..31, row-major.
    private static void AssertOutput(float[] expected, Tensor y)
    {
        Assert.Equal([1, 4, 2, 2], y.shape);
        Assert.Equal(expected, y.data<float>().ToArray());
    }

    private static Tensor Ramp(float offset = 0) => (arange(32, dtype: float32) + offset).reshape(1, 2, 4, 4);

    [Fact]
    public void Option_A_subsamples_and_pads_channels_with_zeros()
    {
        using var shortcut = new ZeroPadShortcut(inPlanes: 2, outPlanes: 4, stride: 2);
        using var y = shortcut.call(Ramp());
        // Stride 2 keeps rows and columns 0 and 2; the two new channels go one before, one after.
        var expected = new float[]
        {
            0, 0, 0, 0,
            0, 2, 8, 10,
            16, 18, 24, 26,
            0, 0, 0, 0,
        };
        AssertOutput(expected, y);
    }

    [Fact]
    public void Zeroed_residual_branch_returns_relu_of_the_shortcut()
    {
        var options = new BlockOptions(ShortcutKind.ZeroPad, Residual: true, Groups: 1, WidthPerGroup: 64, BatchNorm: true);
        using var block = new BasicBlock(2, 4, 2, options);
        block.ZeroInitLast();
        block.eval();
        using var y = block.call(Ramp(offset: -16)); // channel 0 is -16..-1, channel 1 is 0..15
        var expected = new float[]
        {
            0, 0, 0, 0,
            0, 0, 0, 0,       // relu of -16, -14, -8, -6
            0, 2, 8, 10,
            0, 0, 0, 0,
        };
        AssertOutput(expected, y);
    }

    [Fact]
    public void Zero_init_residual_makes_identity_blocks_relu_of_their_input()
    {
        var options = new BlockOptions(ShortcutKind.Projection, Residual: true, Groups: 1, WidthPerGroup: 64, BatchNorm: true);
        using var block = new BasicBlock(2, 2, 1, options);
        block.ZeroInitLast();
        block.eval();
        using var x = Ramp(offset: -16);
        using var y = block.call(x);
        using var expected = x.relu();
        Assert.Equal(expected.data<float>().ToArray(), y.data<float>().ToArray());
    }

    [Fact]
    public void Plain_twin_has_the_same_weights_but_no_skip()
    {
        using var plain = ResNet.Create("plain20");
        using var residual = ResNet.Create("resnet20");
        var plainState = plain.state_dict();
        Assert.Equal(plainState.Keys.ToHashSet(), residual.state_dict().Keys.ToHashSet());
        residual.load_state_dict(plainState);
        plain.eval();
        residual.eval();

        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = randn(2, 3, 16, 16);
        var difference = (plain.call(x) - residual.call(x)).abs().max().item<float>();
        Assert.True(difference > 1e-4, $"plain and residual twins gave the same output (max difference {difference})");
    }
}
