using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// The per-parameter state of TorchSharp's SGD (momentum buffer) and AdamW (step, first and second moments) as named
/// tensors (<c>momentum_buffer.&lt;param&gt;</c>, <c>exp_avg.&lt;param&gt;</c>, <c>exp_avg_sq.&lt;param&gt;</c>,
/// <c>step.&lt;param&gt;</c>), so it can be stored in a safetensors file and restored exactly. Learning rates are
/// not stored: the schedule recomputes them from the step count.
/// </summary>
public static class OptimizerCheckpoint
{
    /// <summary>CPU copies of the state tensors, keyed by kind and parameter name (<paramref name="names"/> in optimizer order).</summary>
    public static Dictionary<string, Tensor> Capture(optim.Optimizer optimizer, IReadOnlyList<string> names)
    {
        var result = new Dictionary<string, Tensor>();
        var states = States(optimizer, names);
        for (int i = 0; i < names.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State s when s.momentum_buffer is not null:
                    result[$"momentum_buffer.{names[i]}"] = Copy(s.momentum_buffer);
                    break;
                case AdamW.State a:
                    result[$"step.{names[i]}"] = tensor(a.step);
                    result[$"exp_avg.{names[i]}"] = Copy(a.exp_avg);
                    result[$"exp_avg_sq.{names[i]}"] = Copy(a.exp_avg_sq);
                    break;
            }
        }
        return result;
    }

    /// <summary>Restores what <see cref="Capture"/> produced into an optimizer built the same way.</summary>
    public static void Restore(optim.Optimizer optimizer, IReadOnlyList<string> names, IReadOnlyDictionary<string, Tensor> saved)
    {
        var states = States(optimizer, names);
        using var _ = no_grad();
        for (int i = 0; i < names.Count; i++)
        {
            switch (states[i])
            {
                case SGD.State s when saved.TryGetValue($"momentum_buffer.{names[i]}", out var buffer):
                    var old = s.momentum_buffer;
                    s.momentum_buffer = empty_like(Parameter(optimizer, i)).copy_(buffer).DetachFromDisposeScope();   // the parameter's device and layout
                    old?.Dispose();
                    break;
                case SGD.State s when s.momentum_buffer is not null:   // none saved: as fresh as when captured
                    s.momentum_buffer.Dispose();
                    s.momentum_buffer = null;
                    break;
                case AdamW.State a when saved.TryGetValue($"step.{names[i]}", out var step):
                    a.step = step.item<long>();
                    a.exp_avg.copy_(Get(saved, $"exp_avg.{names[i]}"));
                    a.exp_avg_sq.copy_(Get(saved, $"exp_avg_sq.{names[i]}"));
                    break;
            }
        }
    }

    private static List<TorchSharp.Modules.OptimizerState> States(optim.Optimizer optimizer, IReadOnlyList<string> names)
    {
        var states = ((OptimizerHelper)optimizer).state_dict().State;
        if (states.Count != names.Count)
            throw new InvalidOperationException($"the optimizer has {states.Count} parameter states but {names.Count} names were given.");
        return states;
    }

    private static Parameter Parameter(optim.Optimizer optimizer, int index) => optimizer.parameters().ElementAt(index);

    private static Tensor Get(IReadOnlyDictionary<string, Tensor> saved, string key) =>
        saved.TryGetValue(key, out var t) ? t
            : throw new ResNetSharpException($"the saved optimizer state has no '{key}': the state file is damaged or from another run; start without TrainOptions.Resume.");

    private static Tensor Copy(Tensor t) => t.detach().cpu().clone().DetachFromDisposeScope();
}
