using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// An exponential moving average of a model's weights (Polyak averaging, as timm's ModelEmaV2):
/// <c>ema = decay * ema + (1 - decay) * weights</c> after every step for parameters; buffers (batch-norm statistics) are
/// copied. An update is two multi-tensor kernels (<c>torch._foreach_lerp_</c>, <c>torch._foreach_copy_</c>) on the device,
/// without a sync; the average keeps the source's layout (channels_last or not).
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private static readonly Lazy<jit.CompilationUnit> Script = new(() => jit.compile("""
        def update(average: List[Tensor], current: List[Tensor], weight: float, average_buffers: List[Tensor], buffers: List[Tensor]):
            torch._foreach_lerp_(average, current, weight)
            torch._foreach_copy_(average_buffers, buffers)

        """));

    private readonly double _decay;
    private readonly Tensor[] _average, _current, _averageBuffers, _buffers;

    /// <summary>Starts the average as a copy of <paramref name="source"/>'s weights and buffers, on its device.</summary>
    /// <param name="source">The model being trained.</param>
    /// <param name="decay">The weight the average keeps per update, e.g. 0.999 (the current weights get 1 - decay).</param>
    public WeightAverage(ResNet source, double decay)
    {
        _decay = decay;
        Model = new ResNet(source.Config);
        Model.to(source.parameters().First().device);
        if (source.parameters().Any(ChannelsLast.IsChannelsLast)) ChannelsLast.Apply(Model);
        Model.eval();
        CopyFrom(source.state_dict());
        var parameters = Model.named_parameters().ToDictionary(p => p.name, p => (Tensor)p.parameter);
        var buffers = Model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        (_current, _average) = Pairs(source.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), parameters);
        (_buffers, _averageBuffers) = Pairs(source.named_buffers(), buffers);
    }

    /// <summary>The averaged model (eval mode).</summary>
    public ResNet Model { get; }

    /// <summary>Moves the average one step towards the source model's current weights.</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        Script.Value.invoke("update", _average, _current, 1 - _decay, _averageBuffers, _buffers);
    }

    /// <summary>Copies saved tensors (a state_dict) into the average.</summary>
    public void CopyFrom(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, t) in Model.state_dict()) t.copy_(state[name]);
    }

    /// <inheritdoc/>
    public void Dispose() => Model.Dispose();

    /// <summary>The source's tensors and the average's tensors of the same names, in the same order.</summary>
    private static (Tensor[] Source, Tensor[] Average) Pairs(IEnumerable<(string Name, Tensor Tensor)> source, Dictionary<string, Tensor> average)
    {
        var list = source.ToList();
        return ([.. list.Select(s => s.Tensor)], [.. list.Select(s => average[s.Name])]);
    }
}
