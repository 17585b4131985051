using ResNetSharp.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Inference;

public class BatchNormFoldingTests
{
    [Fact]
    public void FoldedConvEqualsConvThenEvalBatchNorm()
    {
        manual_seed(11);
        using var conv = nn.Conv2d(3, 5, 3, padding: 1, bias: true);
        using var bn = nn.BatchNorm2d(5);
        Randomise(bn);
        bn.eval();
        var x = randn(2, 3, 7, 7);
        var (w, b) = BatchNormFolding.Fold(conv, bn);
        var folded = nn.functional.conv2d(x, w, b, padding: [1, 1]);
        Assert.True(folded.allclose(bn.call(conv.call(x)), rtol: 0, atol: 1e-5));
    }

    [Fact]
    public void FoldMatchesTheHandComputedFormula()
    {
        // 1x1 conv, weight 2, no bias; BN gamma 3, beta 1, mean 0.5, var 4 - eps: scale = 3 / sqrt(4) = 1.5,
        // so W' = 2 * 1.5 = 3 and b' = 1 + (0 - 0.5) * 1.5 = 0.25.
        using var conv = nn.Conv2d(1, 1, 1, bias: false);
        using var bn = nn.BatchNorm2d(1);
        using (no_grad())
        {
            conv.weight.fill_(2);
            bn.weight!.fill_(3);
            bn.bias!.fill_(1);
            bn.running_mean!.fill_(0.5);
            bn.running_var!.fill_(4 - bn.eps);
        }
        var (w, b) = BatchNormFolding.Fold(conv, bn);
        Assert.Equal(3f, w.item<float>(), 5);
        Assert.Equal(0.25f, b.item<float>(), 5);
    }

    internal static void Randomise(nn.Module module)
    {
        using var _ = no_grad();
        foreach (var bn in module.modules().OfType<TorchSharp.Modules.BatchNorm2d>())
        {
            bn.weight!.uniform_(0.5, 1.5);
            bn.bias!.uniform_(-0.5, 0.5);
            bn.running_mean!.uniform_(-0.5, 0.5);
            bn.running_var!.uniform_(0.5, 2.0);
        }
    }
}
