using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Models.Inspection;

/// <summary>One call of a leaf layer in the forward pass (a layer called twice, like a block's ReLU, has two rows).</summary>
/// <param name="Name">The module path, as in the state_dict: <c>layer1.0.conv1</c>.</param>
/// <param name="Type">The module class: Conv2d, BatchNorm2d, ReLU, MaxPool2d, Linear, ZeroPadShortcut, ...</param>
/// <param name="OutputShape">The output shape at batch 1.</param>
/// <param name="Params">The layer's parameters (weights and biases; not BN running statistics).</param>
/// <param name="Macs">Multiply-accumulates of the call: convolutions and linear layers only, 0 for the others.</param>
public sealed record LayerSummary(string Name, string Type, long[] OutputShape, long Params, long Macs);

/// <summary>A Keras-like summary of a network: its leaf layers in call order, parameter counts and MACs at batch 1.</summary>
/// <param name="Input">The image shape the forward pass used.</param>
/// <param name="Layers">The leaf layers' calls, in order.</param>
/// <param name="TotalParams">Every parameter (trainable and frozen). BN running statistics are buffers, not parameters.</param>
/// <param name="TrainableParams">Parameters with <c>requires_grad</c>.</param>
/// <param name="NonTrainableParams">Parameters without <c>requires_grad</c> (frozen); BN running statistics are not included.</param>
/// <param name="BatchNormRunningStats">Elements of the BN running means and variances: what Keras adds to its "non-trainable params".</param>
/// <param name="Macs">Multiply-accumulates of one image through every convolution and linear layer.</param>
public sealed record ModelSummary(
    InputShape Input, IReadOnlyList<LayerSummary> Layers,
    long TotalParams, long TrainableParams, long NonTrainableParams, long BatchNormRunningStats, long Macs)
{
    /// <summary>What <see cref="Macs"/> counts.</summary>
    public string MacsCounts => "multiply-accumulates of convolutions and linear layers at batch 1, as torchvision's GFLOPS figures; BN, ReLU, pooling and residual additions are not counted";

    /// <summary>
    /// Runs one forward pass of a zero image of <paramref name="input"/>'s shape (batch 1, eval mode, no_grad) on the
    /// model's device, recording every leaf layer's output shape, parameters and MACs with forward hooks.
    /// The model's training mode is restored afterwards.
    /// </summary>
    public static ModelSummary Of(ResNet model, InputShape input)
    {
        var leaves = model.named_modules()
            .Where(m => m.name.Length > 0 && !m.module.children().Any())
            .Select(m => (m.name, module: (nn.Module<Tensor, Tensor>)m.module))
            .ToList();
        var layers = new List<LayerSummary>();
        var hooks = leaves.Select(leaf => leaf.module.register_forward_hook((module, x, y) =>
        {
            layers.Add(Describe(leaf.name, module, y));
            return y;
        })).ToList();

        bool wasTraining = model.training;
        model.eval();
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var device = model.parameters().First().device;
            model.call(zeros(input.Batch(1), device: device));
        }
        finally
        {
            foreach (var hook in hooks) hook.remove();
            model.train(wasTraining);
        }

        var parameters = model.parameters().ToList();
        long trainable = parameters.Where(p => p.requires_grad).Sum(p => p.numel());
        long total = parameters.Sum(p => p.numel());
        long runningStats = model.named_buffers()
            .Where(b => b.name.EndsWith("running_mean", StringComparison.Ordinal) || b.name.EndsWith("running_var", StringComparison.Ordinal))
            .Sum(b => b.buffer.numel());
        return new ModelSummary(input, layers, total, trainable, total - trainable, runningStats, layers.Sum(l => l.Macs));
    }

    private static LayerSummary Describe(string name, nn.Module module, Tensor output)
    {
        long macs = module switch
        {
            // Each output element of a convolution is a dot product over (in_channels / groups) x kh x kw inputs.
            TorchSharp.Modules.Conv2d conv => output.numel() * conv.weight!.shape.Skip(1).Aggregate(1L, (a, b) => a * b),
            // Each output element of a linear layer is a dot product over in_features inputs.
            TorchSharp.Modules.Linear linear => output.numel() * linear.weight!.shape[1],
            _ => 0,
        };
        return new LayerSummary(name, module.GetType().Name, output.shape, module.parameters().Sum(p => p.numel()), macs);
    }
}
