using ResNetSharp.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Tests.Training;

public class TrainStepTests
{
    [Theory]
    [InlineData(0.01)]   // clipped: the gradient norm is far above
    [InlineData(1e6)]    // not clipped
    public void Gradient_clipping_scales_the_step_to_the_global_norm(double maxNorm)
    {
        manual_seed(12);
        using var model = nn.Linear(3, 4);
        var x = randn(8, 3);
        var y = randint(0, 4, [8]);
        var (w0, b0) = (model.weight.detach().clone(), model.bias!.detach().clone());

        // Hand computation on a copy: plain SGD (lr 0.5) on the clipped gradient of the mean cross-entropy.
        var w = w0.clone().requires_grad_();
        var b = b0.clone().requires_grad_();
        nn.functional.cross_entropy(nn.functional.linear(x, w, b), y).backward();
        double norm = Math.Sqrt(w.grad!.square().sum().item<float>() + b.grad!.square().sum().item<float>());
        double scale = Math.Min(1, maxNorm / (norm + 1e-6));
        var expectedW = w0 - 0.5 * scale * w.grad;
        var expectedB = b0 - 0.5 * scale * b.grad;

        using var sgd = new ForeachSgd([new SGD.ParamGroup(model.parameters(), 0.5)], 0.5);
        using var step = new TrainStep(model, sgd, clipGradNorm: maxNorm);
        step.Run(x, y);
        Assert.True(model.weight.allclose(expectedW, rtol: 1e-5, atol: 1e-6));
        Assert.True(model.bias!.allclose(expectedB, rtol: 1e-5, atol: 1e-6));
    }
}
