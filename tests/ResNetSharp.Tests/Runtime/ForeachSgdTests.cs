using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Runtime;

public class ForeachSgdTests
{
    [Fact]
    public void StepsEqualTorchSharpSgdWithMomentumAndWeightDecay()
    {
        // The independent reference is TorchSharp's own optim.SGD (per-parameter updates) on an identical copy.
        var w0 = randn(4, 3);
        var x = randn(5, 3);
        using var a = nn.Linear(3, 4);
        using var b = nn.Linear(3, 4);
        using (no_grad())
        {
            a.weight.copy_(w0);
            b.weight.copy_(w0);
            b.bias!.copy_(a.bias!);
        }
        using var reference = optim.SGD(a.parameters(), 0.1, momentum: 0.9, weight_decay: 0.01);
        using var foreach_ = new ForeachSgd(b.parameters(), 0.1, momentum: 0.9, weightDecay: 0.01);
        for (int i = 0; i < 3; i++)
        {
            reference.zero_grad();
            a.call(x).square().sum().backward();
            reference.step();
            foreach_.ZeroGrad();
            b.call(x).square().sum().backward();
            foreach_.Step();
        }
        Assert.True(b.weight.allclose(a.weight, rtol: 1e-5, atol: 1e-6));
        Assert.True(b.bias!.allclose(a.bias!, rtol: 1e-5, atol: 1e-6));
        Assert.False(b.weight.allclose(w0));
    }
}
