using ResNetSharp.Models;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Inference.Engines;

/// <summary>
/// The forward pass in TorchSharp on the model's device: the eager <see cref="ResNet"/>, or with <c>fused</c> the
/// inference fast path <see cref="FusedResNet"/> (batch norm folded, channels_last, one TorchScript function; bf16
/// on CUDA when asked). The model is moved to the device and put in eval mode; it stays the caller's.
/// </summary>
public sealed class TorchEngine : IInferenceEngine
{
    private readonly ResNet _model;
    private readonly FusedResNet? _fused;
    private readonly torch.Device _device;

    /// <summary>Moves <paramref name="model"/> to <paramref name="device"/> in eval mode and, with <paramref name="fused"/>, builds its fused inference path.</summary>
    /// <param name="model">The model; it stays the caller's to dispose.</param>
    /// <param name="device">Where the forward pass runs.</param>
    /// <param name="fused">Use <see cref="FusedResNet"/> (batch norm folded, channels_last) instead of the eager model.</param>
    /// <param name="precision">The fused path's precision: bf16 only on CUDA.</param>
    public TorchEngine(ResNet model, torch.Device device, bool fused = false, Precision precision = Precision.FP32)
    {
        (_model, _device) = (model, device);
        _model.to(device).eval();
        _fused = fused ? new FusedResNet(_model, precision, channelsLast: true) : null;
    }

    /// <inheritdoc/>
    public string Name => "torch";
    /// <inheritdoc/>
    public string Device => _device.ToString();

    /// <inheritdoc/>
    public float[] Logits(float[] input, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(input, shape).to(_device);
        return (_fused is null ? _model.call(x) : _fused.call(x)).to(float32).cpu().data<float>().ToArray();
    }

    /// <inheritdoc/>
    public void Dispose() => _fused?.Dispose();
}
