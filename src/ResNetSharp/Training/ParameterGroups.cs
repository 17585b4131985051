using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// Splits a model's trainable parameters into those that get weight decay (convolution and linear weights) and those
/// that do not (batch-norm weights and biases, every bias: all parameters with fewer than 2 dimensions), as timm and
/// torchvision's reference scripts do, and builds the optimizer over the two groups.
/// </summary>
public static class ParameterGroups
{
    /// <summary>The trainable (requires_grad) parameters by name, split into decayed and not decayed.</summary>
    public static (IReadOnlyList<(string Name, Parameter Param)> Decay, IReadOnlyList<(string Name, Parameter Param)> NoDecay) Split(
        nn.Module model, bool decayNormAndBias = false)
    {
        var decay = new List<(string, Parameter)>();
        var noDecay = new List<(string, Parameter)>();
        foreach (var (name, p) in model.named_parameters())
        {
            if (!p.requires_grad) continue;
            (decayNormAndBias || p.dim() >= 2 ? decay : noDecay).Add((name, p));
        }
        return (decay, noDecay);
    }

    /// <summary>
    /// The optimizer over the trainable parameters in two groups (decayed first): the multi-tensor <see cref="ForeachSgd"/>
    /// or <see cref="ForeachAdamW"/>. Its per-parameter state follows
    /// <see cref="OrderedNames"/>, which <see cref="OptimizerState"/> uses to save and restore it.
    /// </summary>
    public static optim.Optimizer CreateOptimizer(nn.Module model, TrainOptions o)
    {
        var (decay, noDecay) = Split(model, o.DecayNormAndBias);
        if (decay.Count + noDecay.Count == 0)
            throw new ResNetSharpException("the model has no trainable parameters: freeze fewer layers (TrainOptions.Freeze none).");
        IEnumerable<Parameter> Ps(IReadOnlyList<(string, Parameter P)> l) => l.Select(x => x.P);
        return o.Optimizer switch
        {
            OptimizerKind.Sgd => new ForeachSgd(
                [new SGD.ParamGroup(Ps(decay), o.Lr, o.Momentum, 0, o.WeightDecay, o.Nesterov),
                 new SGD.ParamGroup(Ps(noDecay), o.Lr, o.Momentum, 0, 0, o.Nesterov)],
                o.Lr, o.Momentum, 0, o.WeightDecay, o.Nesterov),
            _ => new ForeachAdamW(
                [new AdamW.ParamGroup(Ps(decay), o.Lr, weight_decay: o.WeightDecay),
                 new AdamW.ParamGroup(Ps(noDecay), o.Lr, weight_decay: 0)],
                o.Lr, o.WeightDecay),
        };
    }

    /// <summary>Parameter names in the optimizer's order (decayed group, then the other).</summary>
    public static IReadOnlyList<string> OrderedNames(nn.Module model, bool decayNormAndBias)
    {
        var (decay, noDecay) = Split(model, decayNormAndBias);
        return [.. decay.Select(x => x.Name), .. noDecay.Select(x => x.Name)];
    }

    /// <summary>Sets every group's learning rate (a host-side write; no device sync).</summary>
    public static void SetLearningRate(optim.Optimizer optimizer, double lr)
    {
        foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
    }
}
