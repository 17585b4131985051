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

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.7)]
    public void Mixed_batch_loss_is_the_soft_target_cross_entropy_and_accuracy_counts_the_larger_share(double weight)
    {
        manual_seed(5);
        using var model = nn.Linear(3, 4);
        var x = randn(6, 3);
        float[] z = model.forward(x).detach().data<float>().ToArray();
        // The mixed-in labels are the model's predictions, the first labels never are.
        long[] predicted = [.. Enumerable.Range(0, 6).Select(i => (long)Enumerable.Range(0, 4).MaxBy(k => z[i * 4 + k]))];
        long[] first = [.. predicted.Select(p => (p + 1) % 4)];

        // Hand computation: cross-entropy against the soft target w·smooth(first) + (1 - w)·smooth(predicted),
        // smooth(y) = 0.9·onehot(y) + 0.1/4.
        double expected = 0;
        for (int i = 0; i < 6; i++)
        {
            double logSum = Math.Log(Enumerable.Range(0, 4).Sum(k => Math.Exp(z[i * 4 + k])));
            for (int k = 0; k < 4; k++)
            {
                double target = weight * (0.9 * (k == first[i] ? 1 : 0) + 0.025) + (1 - weight) * (0.9 * (k == predicted[i] ? 1 : 0) + 0.025);
                expected -= target * (z[i * 4 + k] - logSum) / 6;
            }
        }

        using var sgd = new ForeachSgd([new SGD.ParamGroup(model.parameters(), 0.1)], 0.1);
        using var step = new TrainStep(model, sgd, labelSmoothing: 0.1);
        step.Run(x, tensor(first), tensor(predicted), weight);
        var (loss, accuracy) = step.Metrics.Read();
        Assert.Equal(expected, loss, 1e-5);
        Assert.Equal(weight < 0.5 ? 1.0 : 0.0, accuracy);
    }
}
