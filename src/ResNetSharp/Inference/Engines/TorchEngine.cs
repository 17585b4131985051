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

    public TorchEngine(ResNet model, torch.Device device, bool fused = false, Precision precision = Precision.FP32)
    {
        (_model, _device) = (model, device);
        _model.to(device).eval();
        _fused = fused ? new FusedResNet(_model, precision, channelsLast: true) : null;
    }

    public string Name => "torch";
    public string Device => _device.ToString();

    public float[] Logits(float[] input, long[] shape)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = tensor(input, shape).to(_device);
        return (_fused is null ? _model.call(x) : _fused.call(x)).to(float32).cpu().data<float>().ToArray();
    }

    public void Dispose() => _fused?.Dispose();
}
