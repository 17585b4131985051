using ResNetSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class ForeachSgdTests
{
    // The independent reference is TorchSharp's own optim.SGD (per-parameter updates) on an identical copy of the model.
    [Theory]
    [InlineData(0.9, 0.0, false)]
    [InlineData(0.9, 0.0, true)]
    [InlineData(0.9, 0.3, false)]
    [InlineData(0.0, 0.0, false)]
    public void StepsEqualTorchSharpSgd(double momentum, double dampening, bool nesterov)
    {
        manual_seed(3);
        var x = randn(5, 3);
        using var a = Net();
        using var b = Net();
        b.load_state_dict(a.state_dict());
        var w0 = a.weight.clone();
        SGD.ParamGroup[] Groups(Linear m) =>
        [
            new(new[] { m.weight }, 0.1, momentum, dampening, weight_decay: 0.01, nesterov),
            new(new[] { m.bias! }, 0.05, momentum, dampening, weight_decay: 0, nesterov),
        ];
        using var reference = new SGD(Groups(a), 0.1, momentum, dampening, 0.01, nesterov);
        using var foreach_ = new ForeachSgd(Groups(b), 0.1, momentum, dampening, 0.01, nesterov);
        for (int i = 0; i < 4; i++)
        {
            reference.zero_grad();
            a.call(x).square().sum().backward();
            reference.step();
            foreach_.zero_grad();
            Assert.Null(b.weight.grad);   // set to none, not zeroed
            b.call(x).square().sum().backward();
            foreach_.step();
        }
        Assert.True(b.weight.allclose(a.weight, rtol: 1e-5, atol: 1e-6));
        Assert.True(b.bias!.allclose(a.bias!, rtol: 1e-5, atol: 1e-6));
        Assert.False(b.weight.allclose(w0));
    }

    [Fact]
    public void AParameterWithoutGradientIsSkippedAndStartsItsMomentumWhenItGetsOne()
    {
        manual_seed(4);
        var x = randn(5, 3);
        using var a = Net();
        using var b = Net();
        b.load_state_dict(a.state_dict());
        var bias0 = b.bias!.clone();
        using var reference = new SGD([new SGD.ParamGroup(a.parameters(), 0.1, 0.9, dampening: 0.5)], 0.1, 0.9, dampening: 0.5);
        using var foreach_ = new ForeachSgd([new SGD.ParamGroup(b.parameters(), 0.1, 0.9, dampening: 0.5)], 0.1, 0.9, dampening: 0.5);
        for (int i = 0; i < 4; i++)
        {
            bool biasToo = i >= 2;   // steps 0-1: only the weight has a gradient
            reference.zero_grad();
            foreach (var p in a.parameters()) p.grad = null;
            (biasToo ? a.call(x) : torch.nn.functional.linear(x, a.weight)).square().sum().backward();
            reference.step();
            foreach_.zero_grad();
            (biasToo ? b.call(x) : torch.nn.functional.linear(x, b.weight)).square().sum().backward();
            foreach_.step();
            if (i == 1) Assert.True(b.bias!.eq(bias0).all().item<bool>());
        }
        Assert.True(b.weight.allclose(a.weight, rtol: 1e-5, atol: 1e-6));
        Assert.True(b.bias!.allclose(a.bias!, rtol: 1e-5, atol: 1e-6));
        Assert.False(b.bias!.allclose(bias0));
    }

    [Fact]
    public void MaximizeIsRefused()
    {
        using var m = Net();
        Assert.Throws<ArgumentException>(() => new ForeachSgd([new SGD.ParamGroup(m.parameters(), 0.1, maximize: true)], 0.1));
    }

    private static Linear Net() => nn.Linear(3, 4);
}
