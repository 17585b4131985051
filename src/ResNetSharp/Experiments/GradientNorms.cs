using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Experiments;

/// <summary>The L2 norm of one convolution weight's gradient.</summary>
public sealed record LayerGradient(string Name, double GradNorm);

/// <summary>One forward and backward pass, then the gradient norm of every convolution weight in depth order.</summary>
public static class GradientNorms
{
    /// <summary>
    /// Cross-entropy of <paramref name="model"/>'s logits against <paramref name="labels"/>, backpropagated; returns
    /// the L2 norm of each 4-D (convolution) weight's gradient, in the module order (= depth order for ResNets:
    /// <c>conv1.weight</c>, <c>layer1.0.conv1.weight</c>, ...). Gradients are zeroed first and left on the parameters.
    /// The norm is taken in float64 so that tiny (vanishing) gradients do not underflow when squared.
    /// The model's mode (train: batch statistics, eval: running statistics) is the caller's choice.
    /// </summary>
    public static IReadOnlyList<LayerGradient> ConvWeights(nn.Module<Tensor, Tensor> model, Tensor images, Tensor labels)
    {
        using var scope = NewDisposeScope();
        model.zero_grad();
        using (var loss = nn.functional.cross_entropy(model.call(images), labels)) loss.backward();
        return model.named_parameters()
            .Where(p => p.parameter.dim() == 4)
            .Select(p => new LayerGradient(p.name, p.parameter.grad is { } g ? g.to(float64).norm().item<double>() : 0.0))
            .ToList();
    }
}
