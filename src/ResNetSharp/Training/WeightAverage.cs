using ResNetSharp.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Training;

/// <summary>
/// An exponential moving average of a model's weights (Polyak averaging, as timm's ModelEmaV2):
/// <c>ema = decay * ema + (1 - decay) * weights</c> after every step for parameters; buffers (batch-norm statistics) are
/// copied. Updates run on the device without a sync.
/// </summary>
public sealed class WeightAverage : IDisposable
{
    private readonly ResNet _source;
    private readonly double _decay;

    public WeightAverage(ResNet source, double decay)
    {
        _source = source;
        _decay = decay;
        Model = new ResNet(source.Config);
        Model.to(source.parameters().First().device);
        Model.eval();
        CopyFrom(source.state_dict());
    }

    /// <summary>The averaged model (eval mode).</summary>
    public ResNet Model { get; }

    /// <summary>Moves the average one step towards the source model's current weights.</summary>
    public void Update()
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var average = Model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in _source.named_parameters())
            average[name].mul_(_decay).add_(p, alpha: 1 - _decay);
        var buffers = Model.named_buffers().ToDictionary(b => b.name, b => b.buffer);
        foreach (var (name, b) in _source.named_buffers()) buffers[name].copy_(b);
    }

    /// <summary>Copies saved tensors (a state_dict) into the average.</summary>
    public void CopyFrom(IReadOnlyDictionary<string, Tensor> state)
    {
        using var _ = no_grad();
        foreach (var (name, t) in Model.state_dict()) t.copy_(state[name]);
    }

    public void Dispose() => Model.Dispose();
}
