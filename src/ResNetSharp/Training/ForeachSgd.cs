using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// TorchSharp's <see cref="SGD"/> (same options, parameter groups and <see cref="SGD.State"/> momentum buffers) with the
/// step of PyTorch's default "foreach" SGD: a handful of multi-tensor kernels (<c>torch._foreach_*</c>, reached through
/// one TorchScript function) per parameter group instead of several small kernels per parameter, which on a GPU is
/// the difference between a launch-bound and a compute-bound step. The update is <c>torch.optim.SGD</c>'s:
/// <c>g += wd * p; buf = g (first step) or momentum * buf + (1 - dampening) * g;
/// g = g + momentum * buf (Nesterov) or buf; p -= lr * g</c>. <see cref="zero_grad"/> sets gradients to none, as
/// PyTorch does by default, which costs no kernel. (No <c>maximize</c>: a group asking for it is refused.)
/// </summary>
public sealed class ForeachSgd : SGD
{
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def sgd(params: List[Tensor], grads: List[Tensor], bufs: List[Tensor], lr: float, momentum: float, dampening: float,
                weight_decay: float, nesterov: bool, first: bool):
            if weight_decay != 0.0:
                grads = torch._foreach_add(grads, params, alpha=weight_decay)
            if momentum != 0.0:
                if first:
                    torch._foreach_copy_(bufs, grads)
                else:
                    torch._foreach_mul_(bufs, momentum)
                    torch._foreach_add_(bufs, grads, alpha=1.0 - dampening)
                if nesterov:
                    grads = torch._foreach_add(grads, bufs, alpha=momentum)
                else:
                    grads = bufs
            torch._foreach_add_(params, grads, alpha=-lr)

        """));

    /// <summary>An SGD over <paramref name="groups"/>, with the arguments of <c>torch.optim.SGD</c>.</summary>
    /// <param name="groups">The parameter groups, each with optional options of its own.</param>
    /// <param name="lr">The learning rate.</param>
    /// <param name="momentum">Momentum (0: plain SGD).</param>
    /// <param name="dampening">Dampening of the momentum.</param>
    /// <param name="weightDecay">L2 weight decay added to the gradient.</param>
    /// <param name="nesterov">Nesterov momentum.</param>
    /// <exception cref="ArgumentException">A group asks for maximize.</exception>
    public ForeachSgd(IEnumerable<ParamGroup> groups, double lr, double momentum = 0, double dampening = 0, double weightDecay = 0, bool nesterov = false)
        : base(groups, lr, momentum, dampening, weightDecay, nesterov)
    {
        if (ParamGroups.OfType<ParamGroup>().Any(g => g.Options.maximize == true))
            throw new ArgumentException("ForeachSgd does not maximize: negate the loss instead.");
    }

    /// <summary>Sets every gradient to none (the next backward allocates fresh ones).</summary>
    public override void zero_grad()
    {
        foreach (var p in parameters()) p.grad = null;
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public override Tensor step(Func<Tensor>? closure = null) => _step<ParamGroup>(group =>
    {
        var o = group.Options;
        bool withMomentum = o.momentum!.Value != 0;
        var (fresh, running) = (new Lists(), new Lists());
        foreach (var p in group.Parameters)
        {
            if (p.grad is not { } g) continue;
            var state = (State)_state[p.Handle];
            bool first = withMomentum && state.momentum_buffer is null;
            if (first) state.momentum_buffer = empty_like(p).DetachFromDisposeScope();
            (first ? fresh : running).Add(p, g, state.momentum_buffer);
        }
        foreach (var (lists, first) in new[] { (fresh, true), (running, false) })
        {
            if (lists.Params.Count == 0) continue;
            Script.Value.invoke("sgd", lists.Params.ToArray(), lists.Grads.ToArray(), lists.Buffers.ToArray(), o.LearningRate!.Value,
                o.momentum.Value, o.dampening!.Value, o.weight_decay!.Value, o.nesterov!.Value, first);
        }
    }, closure);

    /// <summary>Parameters, gradients and momentum buffers (none without momentum) of one kernel batch.</summary>
    private sealed class Lists
    {
        public List<Tensor> Params { get; } = [];
        public List<Tensor> Grads { get; } = [];
        public List<Tensor> Buffers { get; } = [];

        public void Add(Tensor param, Tensor grad, Tensor? buffer)
        {
            Params.Add(param);
            Grads.Add(grad);
            if (buffer is not null) Buffers.Add(buffer);
        }
    }
}
