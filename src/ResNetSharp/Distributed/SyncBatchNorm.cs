using ResNetSharp.Runtime.Kernels;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>
/// PyTorch's SyncBatchNorm semantics for every BatchNorm2d of a model: in training, batch statistics over the global
/// batch (all ranks), with gradients through them to every rank's inputs, and running statistics updated from them.
/// Done with forward hooks, so the model and its state_dict are unchanged: each batch norm's own output is replaced by
/// the globally normalised one (its local computation is wasted: about one batch norm more per layer and step), and its
/// running statistics are reset to what they were before and updated with the global mean and unbiased variance.
/// Evaluation is untouched. Dispose to remove the hooks.
/// </summary>
public sealed class SyncBatchNorm : IDisposable
{
    private readonly List<IDisposable> _hooks = [];
    private readonly List<BatchNorm2d> _norms = [];

    /// <summary>Hooks every <see cref="BatchNorm2d"/> of <paramref name="model"/> to normalise over <paramref name="group"/>'s global batch.</summary>
    public SyncBatchNorm(nn.Module model, ProcessGroup group)
    {
        foreach (var (_, module) in model.named_modules())
        {
            if (module is not BatchNorm2d bn) continue;
            FusedBatchNorm.RunAsModule(bn);   // the hooks replace the module's output
            _norms.Add(bn);
            (Tensor Mean, Tensor Var)? before = null;
            _hooks.Add(new Hook(bn.register_forward_pre_hook((m, x) =>
            {
                if (m.training && bn.running_mean is { } mean && bn.running_var is { } var)
                    before = (mean.detach().clone().DetachFromDisposeScope(), var.detach().clone().DetachFromDisposeScope());
                return x;
            }).remove));
            _hooks.Add(new Hook(bn.register_forward_hook((m, x, y) =>
            {
                if (!m.training) return y;
                var output = Normalize(bn, x, group, before);
                before?.Mean.Dispose();
                before?.Var.Dispose();
                before = null;
                return output;
            }).remove));
        }
    }

    private static Tensor Normalize(BatchNorm2d bn, Tensor x, ProcessGroup group, (Tensor Mean, Tensor Var)? before)
    {
        var dims = new long[] { 0, 2, 3 };
        var input = x.to(ScalarType.Float32);
        long local = input.shape[0] * input.shape[2] * input.shape[3];
        long channels = input.shape[1];
        var sums = AllReduceSum.Apply(cat([input.sum(dims), full(1, (double)local, ScalarType.Float32, input.device)]), group);
        var count = sums.narrow(0, channels, 1);
        var mean = sums.narrow(0, 0, channels) / count;
        var shape = new long[] { 1, channels, 1, 1 };
        var centered = input - mean.view(shape);
        var var = AllReduceSum.Apply(centered.square().sum(dims), group) / count;   // two passes, as accurate as batch norm's own
        if (before is var (runningMean, runningVar) && bn.running_mean is { } rm && bn.running_var is { } rv)
        {
            using var _ = no_grad();
            double m = bn.momentum ?? 0.1;
            var unbiased = var.detach() * count / (count - 1).clamp_min(1);
            rm.copy_(runningMean * (1 - m) + mean.detach() * m);
            rv.copy_(runningVar * (1 - m) + unbiased * m);
        }
        var y = centered * (var + bn.eps).rsqrt().view(shape);
        if (bn.weight is { } w) y = y * w.view(shape);
        if (bn.bias is { } b) y = y + b.view(shape);
        return y.to(x.dtype);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var hook in _hooks) hook.Dispose();
        _hooks.Clear();
        foreach (var bn in _norms) FusedBatchNorm.RunAsModule(bn, keep: false);
        _norms.Clear();
    }

    private sealed class Hook(Action remove) : IDisposable
    {
        public void Dispose() => remove();
    }

    /// <summary>A differentiable all-reduce sum: the backward of a sum over ranks is the sum of the ranks' gradients.</summary>
    private sealed class AllReduceSum : autograd.SingleTensorFunction<AllReduceSum>
    {
        public override string Name => nameof(AllReduceSum);

        public static Tensor Apply(Tensor tensor, ProcessGroup group) => apply(tensor, group);

        public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
        {
            var group = (ProcessGroup)vars[1];
            ctx.save_data("group", group);
            var sum = ((Tensor)vars[0]).detach().clone();
            group.AllReduce(sum);
            return sum;
        }

        public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor gradOutput)
        {
            var group = (ProcessGroup)ctx.get_data("group");
            var sum = gradOutput.contiguous().clone();
            group.AllReduce(sum);
            return [sum, null!];   // no gradient for the group argument
        }
    }
}
