using ResNetSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class ForeachAdamWTests
{
    // The independent reference is TorchSharp's own AdamW (per-parameter updates) on identical copies of the parameters.
    [Fact]
    public void StepsEqualTorchSharpAdamW_with_groups_and_a_late_gradient()
    {
        manual_seed(13);
        var x = randn(5, 3);
        var init = new[] { randn(4, 3), randn(4), randn(1) };
        Parameter[] Copy() => [.. init.Select(t => new Parameter(t.clone()))];
        var (a, b) = (Copy(), Copy());   // weight, bias (one group), scale (another group, other lr and no decay)
        AdamW.ParamGroup[] Groups(Parameter[] p) =>
        [
            new(new[] { p[0], p[1] }, 0.01, weight_decay: 0.1),
            new(new[] { p[2] }, 0.02, weight_decay: 0),
        ];
        // Steps 0-1 leave the bias without a gradient, so the weight and the bias of one group reach different step counts.
        Tensor Loss(Parameter[] p, int step) =>
            ((step < 2 ? nn.functional.linear(x, p[0]) : nn.functional.linear(x, p[0], p[1])) * p[2]).square().sum();
        using var reference = new AdamW(Groups(a), 0.01, weight_decay: 0.1);
        using var foreach_ = new ForeachAdamW(Groups(b), 0.01, 0.1);
        for (int i = 0; i < 5; i++)
        {
            foreach (var p in a) p.grad = null;
            Loss(a, i).backward();
            reference.step();
            foreach_.zero_grad();
            Assert.Null(b[0].grad);   // set to none, not zeroed
            Loss(b, i).backward();
            foreach_.step();
        }
        for (int k = 0; k < 3; k++)
        {
            Assert.True(b[k].allclose(a[k], rtol: 1e-5, atol: 1e-6), $"parameter {k}");
            Assert.False(b[k].allclose(init[k]));
        }
    }

    [Fact]
    public void AmsgradIsRefused()
    {
        using var m = nn.Linear(3, 4);
        Assert.Throws<ArgumentException>(() => new ForeachAdamW([new AdamW.ParamGroup(m.parameters(), 0.1, amsgrad: true)], 0.1));
    }
}
