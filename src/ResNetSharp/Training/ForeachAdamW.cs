using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// TorchSharp's <see cref="AdamW"/> (same options, parameter groups and <see cref="AdamW.State"/>) with the step of
/// PyTorch's default "foreach" AdamW: a dozen multi-tensor kernels (<c>torch._foreach_*</c>, one TorchScript function)
/// per parameter group instead of about ten kernels per parameter. The update is <c>torch.optim.AdamW</c>'s:
/// <c>p *= 1 - lr * wd; m = lerp(m, g, 1 - b1); v = b2 * v + (1 - b2) * g²;
/// p -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)</c>. <see cref="zero_grad"/> sets gradients to none.
/// (No <c>amsgrad</c> or <c>maximize</c>: a group asking for either is refused.)
/// </summary>
public sealed class ForeachAdamW : AdamW
{
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def adamw(params: List[Tensor], grads: List[Tensor], exp_avgs: List[Tensor], exp_avg_sqs: List[Tensor], lr: float,
                  beta1: float, beta2: float, eps: float, weight_decay: float, step: int):
            if weight_decay != 0.0:
                torch._foreach_mul_(params, 1.0 - lr * weight_decay)
            torch._foreach_lerp_(exp_avgs, grads, 1.0 - beta1)
            torch._foreach_mul_(exp_avg_sqs, beta2)
            torch._foreach_addcmul_(exp_avg_sqs, grads, grads, 1.0 - beta2)
            bias_correction1 = 1.0 - beta1 ** step
            bias_correction2 = 1.0 - beta2 ** step
            denom = torch._foreach_sqrt(exp_avg_sqs)
            torch._foreach_div_(denom, bias_correction2 ** 0.5)
            torch._foreach_add_(denom, eps)
            torch._foreach_addcdiv_(params, exp_avgs, denom, -lr / bias_correction1)

        """));

    /// <summary>An AdamW over <paramref name="groups"/> (betas 0.9, 0.999; eps 1e-8 unless a group sets its own).</summary>
    /// <param name="groups">The parameter groups, each with optional options of its own.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="weightDecay">Decoupled weight decay.</param>
    /// <exception cref="ArgumentException">A group asks for amsgrad or maximize.</exception>
    public ForeachAdamW(IEnumerable<ParamGroup> groups, double lr, double weightDecay = 0)
        : base(groups, lr, weight_decay: weightDecay)
    {
        if (ParamGroups.OfType<ParamGroup>().Any(g => g.Options.amsgrad == true || g.Options.maximize == true))
            throw new ArgumentException("ForeachAdamW has no amsgrad or maximize: use TorchSharp's AdamW for those.");
    }

    /// <summary>Sets every gradient to none (the next backward allocates fresh ones).</summary>
    public override void zero_grad()
    {
        foreach (var p in parameters()) p.grad = null;
    }

    /// <summary>One update of every parameter that has a gradient (those at the same step count in one kernel batch).</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = (Options)group.Options;
        var batches = new SortedDictionary<long, (List<Tensor> P, List<Tensor> G, List<Tensor> M, List<Tensor> V)>();
        foreach (var p in group.Parameters)
        {
            if (p.grad is not { } g) continue;
            var state = (State)_state[p.Handle];
            state.step++;
            if (!batches.TryGetValue(state.step, out var batch)) batches[state.step] = batch = ([], [], [], []);
            batch.P.Add(p);
            batch.G.Add(g);
            batch.M.Add(state.exp_avg);
            batch.V.Add(state.exp_avg_sq);
        }
        foreach (var (step, b) in batches)
            Script.Value.invoke("adamw", b.P.ToArray(), b.G.ToArray(), b.M.ToArray(), b.V.ToArray(), o.LearningRate!.Value,
                o.beta1!.Value, o.beta2!.Value, o.eps!.Value, o.weight_decay!.Value, step);
    }, closure);
}
