using ResNetSharp.Runtime.Kernels;
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

    /// <summary>
    /// Runs the plan on <paramref name="x"/> [N, C, H, W]. A norm followed by a ReLU, and the last norm with the add and
    /// the ReLU after it, run as one <see cref="FusedBatchNorm"/> where it applies (training in bf16 channels_last on the CPU).
    /// </summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var plan = Plan;
        var pre = plan.PreNorm is { } preNorm ? NormRelu(preNorm, x) : x;
        var y = pre;
        var last = plan.Branch[^1];
        foreach (var step in plan.Branch)
        {
            y = Call(step.Conv, y);
            if (step == last) break;
            y = Finish(step, y);
        }
        var shortcut = plan.Shortcut;
        var skip = shortcut.Path == ShortcutPath.None ? null
            : shortcut.Module is { } module ? Call(module, shortcut.FromPreActivated ? pre : x) : x;
        bool fusesAdd = skip is not null && plan.ReluAfterAdd && last is { Norm: not null, Relu: false } && (!training || DropPathRate <= 0);
        if (fusesAdd && FusedBatchNorm.TryApply(Layer(last.Norm!), y, skip) is { } fused) return fused.MoveToOuterDisposeScope();
        y = Finish(last, y);
        if (skip is not null) y = DropPath.Apply(y, DropPathRate, training).add_(skip);
        if (plan.ReluAfterAdd) y = Call(plan.Activation, y);
        return y.MoveToOuterDisposeScope();
    }

    /// <summary>A step's norm and ReLU on its convolution's output.</summary>
    private Tensor Finish(ConvStep step, Tensor y) => step switch
    {
        { Norm: { } norm, Relu: true } => NormRelu(norm, y),
        { Norm: { } norm } => Call(norm, y),
        { Relu: true } => Call(Plan.Activation, y),
        _ => y,
    };

    private Tensor NormRelu(string norm, Tensor y) => FusedBatchNorm.TryApply(Layer(norm), y) ?? Call(Plan.Activation, Call(norm, y));

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
