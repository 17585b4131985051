using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// An exponential moving average of a model's weights and batch-norm statistics (torchvision's
/// <c>ExponentialMovingAverage</c>, an <c>AveragedModel</c> with <c>use_buffers=True</c>; timm's ModelEmaV3):
/// <c>ema = decay * ema + (1 - decay) * current</c> for the parameters and the floating-point buffers (running mean and
/// variance); integer buffers (<c>num_batches_tracked</c>) are copied. As in torchvision's reference, the average is a
/// copy of the model through the learning-rate warmup and at the first update after it, and averages from then on.
/// An update is two multi-tensor kernels (<c>torch._foreach_lerp_</c>, <c>torch._foreach_copy_</c>) on the device,
/// without a sync; the average keeps the source's layout (channels_last or not).
/// </summary>
/// <remarks>
/// The decay applies per update (every optimizer step). torchvision's <c>--model-ema-decay</c> applies every
/// <c>--model-ema-steps</c> steps after its adjustment <c>alpha = min(1, (1 - decay) * world_size * batch_size *
/// ema_steps / epochs)</c>, <c>decay = 1 - alpha</c>; the per-step equivalent is that decay to the power
/// <c>1 / ema_steps</c> (recipes/imagenet-resnet50-torchvision.yaml converts its 0.99998 so).
/// </remarks>
public sealed class WeightAverage : IDisposable
{
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def update(average: List[Tensor], current: List[Tensor], weight: float, average_counts: List[Tensor], counts: List[Tensor]):
            torch._foreach_lerp_(average, current, weight)
            torch._foreach_copy_(average_counts, counts)

        """));

    private readonly double _decay;
    private readonly long _firstAveraged;
    private readonly Tensor[] _current, _average, _counts, _averageCounts;

    /// <summary>Starts the average as a copy of <paramref name="source"/>'s weights and buffers, on its device.</summary>
    /// <param name="source">The model being trained.</param>
    /// <param name="decay">The weight the average keeps per update, e.g. 0.999 (the current values get 1 - decay).</param>
    /// <param name="warmupSteps">The optimizer steps of the learning-rate warmup, during which the average copies the model.</param>
    public WeightAverage(ResNet source, double decay, long warmupSteps = 0)
    {
        _decay = decay;
        _firstAveraged = warmupSteps + 2;
        Model = new ResNet(source.Config);
        Model.to(source.parameters().First().device);
        if (source.parameters().Any(ChannelsLast.IsChannelsLast)) ChannelsLast.Apply(Model);
        Model.eval();
        CopyFrom(source.state_dict());
        var average = Model.state_dict();
        var tensors = source.state_dict();
        var floating = tensors.Where(kv => kv.Value.is_floating_point()).ToList();
        var integer = tensors.Where(kv => !kv.Value.is_floating_point()).ToList();
        (_current, _average) = ([.. floating.Select(kv => kv.Value)], [.. floating.Select(kv => average[kv.Key])]);
        (_counts, _averageCounts) = ([.. integer.Select(kv => kv.Value)], [.. integer.Select(kv => average[kv.Key])]);
    }

    /// <summary>The averaged model (eval mode).</summary>
    public ResNet Model { get; }

    /// <summary>
    /// Moves the average towards the source's current weights and buffers after optimizer step <paramref name="step"/>
    /// (counted from 1: <see cref="TrainStep.Step"/> after the step). Up to the first step after the warmup the average
    /// becomes a copy (torchvision resets its average during the warmup epochs); after that, one step of the decay.
    /// </summary>
    public void Update(long step)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        // A lerp with weight 1 is an exact copy: PyTorch computes end - (end - start) * (1 - weight) for weights >= 0.5.
        Script.Value.invoke("update", _average, _current, step < _firstAveraged ? 1.0 : 1 - _decay, _averageCounts, _counts);
    }

    /// <summary>Copies saved tensors (a state_dict) into the average.</summary>
    public void CopyFrom(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, t) in Model.state_dict()) t.copy_(state[name]);
    }

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();
}
