using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Models.Blocks;

/// <summary>
/// A residual block whose forward pass executes its <see cref="BlockPlan"/>; subclasses only declare their layers
/// (as fields named by their state_dict names) and the plan. Layers are called plainly: mixed precision is ambient
/// (<see cref="Runtime.Autocast"/>).
/// </summary>
public abstract class ResidualBlock : nn.Module<Tensor, Tensor>, IResidualBlock
{
    private Dictionary<string, nn.Module>? _layers;

    /// <summary>A block named <paramref name="name"/> that computes <paramref name="plan"/>.</summary>
    protected ResidualBlock(string name, BlockPlan plan) : base(name) => Plan = plan;

    /// <summary>The block's description, which every backend follows.</summary>
    public BlockPlan Plan { get; }

    /// <inheritdoc/>
    public double DropPathRate { get; set; }

    /// <summary>The layer at a module path of <see cref="Plan"/> (<c>conv1</c>, <c>downsample.0</c>).</summary>
    public nn.Module Layer(string path)
    {
        _layers ??= named_modules().ToDictionary(m => m.name, m => m.module);
        return _layers.TryGetValue(path, out var layer) ? layer
            : throw new ResNetSharpException($"block {GetName()} has no layer '{path}': its plan and its modules disagree.");
    }

    private Tensor Call(string path, Tensor x) => ((Module<Tensor, Tensor>)Layer(path)).call(x);

    /// <summary>Runs the plan on <paramref name="x"/> [N, C, H, W].</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var plan = Plan;
        var pre = plan.PreNorm is { } preNorm ? Call(plan.Activation, Call(preNorm, x)) : x;
        var y = pre;
        foreach (var step in plan.Branch)
        {
            y = Call(step.Conv, y);
            if (step.Norm is { } norm) y = Call(norm, y);
            if (step.Relu) y = Call(plan.Activation, y);
        }
        var shortcut = plan.Shortcut;
        if (shortcut.Path != ShortcutPath.None)
        {
            var skip = shortcut.Module is { } module ? Call(module, shortcut.FromPreActivated ? pre : x) : x;
            y = DropPath.Apply(y, DropPathRate, training).add_(skip);
        }
        if (plan.ReluAfterAdd) y = Call(plan.Activation, y);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>Zeroes the last BN weight (post-activation) or last conv weight (pre-activation) of the residual branch.</summary>
    public void ZeroInitLast()
    {
        var last = Plan.Branch[^1];
        var weight = (last.Norm is { } norm ? Layer(norm) : Layer(last.Conv)) switch
        {
            TorchSharp.Modules.BatchNorm2d bn => bn.weight,
            TorchSharp.Modules.Conv2d conv => conv.weight,
            _ => null,   // an identity norm (no normalisation) has nothing to zero
        };
        if (weight is not null) using (no_grad()) weight.zero_();
    }
}
