using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>
/// The GPU fast path for training: bf16 mixed precision (<see cref="Autocast"/> around forward and loss),
/// channels_last inputs and convolution weights (<see cref="ChannelsLast"/>), and cuDNN benchmark mode on CUDA
/// (<see cref="CuDnn"/>; training shapes are static). The two hooks have the types of <c>TrainStep.InputTransform</c>
/// and <c>TrainStep.ForwardWrapper</c>: <c>step.InputTransform = FastPath.InputTransform(cl)</c>,
/// <c>step.ForwardWrapper = FastPath.ForwardWrapper(precision)</c>.
/// </summary>
public static class FastPath
{
    /// <summary>
    /// Converts the model's convolution weights to channels_last (in place, same parameter objects) when asked, and
    /// turns on cuDNN benchmark mode when the model is on CUDA. Call before training starts.
    /// </summary>
    public static void Prepare(nn.Module model, bool channelsLast)
    {
        if (channelsLast) ChannelsLast.Apply(model);
        if (model.parameters().FirstOrDefault()?.device.type == DeviceType.CUDA) CuDnn.Benchmark = true;
    }

    /// <summary>The input conversion for a training step: channels_last, or null (none).</summary>
    public static Func<Tensor, Tensor>? InputTransform(bool channelsLast) => channelsLast ? ChannelsLast.Convert : null;

    /// <summary>Runs a step's forward and loss under autocast to the precision's compute type; null for fp32.</summary>
    public static Func<Func<Tensor>, Tensor>? ForwardWrapper(Precision precision) => precision == Precision.FP32
        ? null
        : forward =>
        {
            using var _ = Autocast.Enter(precision);
            return forward();
        };
}
