using static TorchSharp.torch;

namespace ResNetSharp.Inference.Engines;

/// <summary>
/// An <see cref="IInferenceEngine"/> as a TorchSharp module, for code that takes one (the <c>Evaluator</c>):
/// the input is copied to the host as float32, the logits come back on the input's device. Owns no parameters.
/// </summary>
public sealed class EngineModule(IInferenceEngine engine) : nn.Module<Tensor, Tensor>(nameof(EngineModule))
{
    /// <summary>The wrapped engine (not disposed with the module: it stays the caller's).</summary>
    public IInferenceEngine Engine { get; } = engine;

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var host = input.to(float32).cpu().contiguous();
        var logits = Engine.Logits(host.data<float>().ToArray(), input.shape);
        long batch = input.shape[0];
        return tensor(logits, [batch, logits.Length / batch]).to(input.device);
    }
}
