using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>
/// SGD with momentum and (coupled) weight decay whose step is four multi-tensor kernels over all parameters
/// (<c>torch._foreach_*</c>, reached through a TorchScript function, as PyTorch's default "foreach" SGD does) instead
/// of several small kernels per parameter. Same update as <c>torch.optim.SGD</c> (dampening 0, no Nesterov):
/// <c>g += wd * p; buf = momentum * buf + g; p -= lr * buf</c>. Gradients are reset to none, which costs no kernel.
/// </summary>
public sealed class ForeachSgd : IDisposable
{
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def sgd(params: List[Tensor], grads: List[Tensor], bufs: List[Tensor], lr: float, momentum: float, weight_decay: float):
            if weight_decay != 0.0:
                torch._foreach_add_(grads, params, alpha=weight_decay)
            torch._foreach_mul_(bufs, momentum)
            torch._foreach_add_(bufs, grads)
            torch._foreach_add_(params, bufs, alpha=-lr)

        """));

    private readonly TorchSharp.Modules.Parameter[] _parameters;
    private readonly Tensor[] _momentum;
    private readonly double _momentumFactor, _weightDecay;

    /// <summary>The learning rate of the next step.</summary>
    public double LearningRate { get; set; }

    public ForeachSgd(IEnumerable<TorchSharp.Modules.Parameter> parameters, double learningRate, double momentum = 0.9, double weightDecay = 0)
    {
        if (learningRate <= 0) throw new ResNetSharpException($"the learning rate must be positive, got {learningRate}.");
        _parameters = [.. parameters.Where(p => p.requires_grad)];
        _momentum = [.. _parameters.Select(p => zeros_like(p).DetachFromDisposeScope())];
        (LearningRate, _momentumFactor, _weightDecay) = (learningRate, momentum, weightDecay);
    }

    /// <summary>Sets every gradient to none (the next backward allocates fresh ones).</summary>
    public void ZeroGrad()
    {
        foreach (var p in _parameters) p.grad = null;
    }

    /// <summary>One update of every parameter that has a gradient.</summary>
    public void Step()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var (ps, gs, bs) = (new List<Tensor>(), new List<Tensor>(), new List<Tensor>());
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (_parameters[i].grad is not { } g) continue;
            ps.Add(_parameters[i]);
            gs.Add(g);
            bs.Add(_momentum[i]);
        }
        if (ps.Count > 0) Script.Value.invoke("sgd", ps.ToArray(), gs.ToArray(), bs.ToArray(), LearningRate, _momentumFactor, _weightDecay);
    }

    public void Dispose()
    {
        foreach (var m in _momentum) m.Dispose();
    }
}
