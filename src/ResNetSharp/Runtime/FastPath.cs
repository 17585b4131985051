using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>
/// The fast path for training: bf16 mixed precision (<see cref="Autocast"/> around forward and loss),
/// channels_last inputs and convolution weights (<see cref="ChannelsLast"/>), cuDNN benchmark mode on CUDA
/// (<see cref="CuDnn"/>; training shapes are static), and on the CPU a native heap that keeps freed memory
/// (<see cref="NativeHeap"/>: each step reuses the last step's memory instead of faulting it in again). The two hooks
/// have the types of <c>TrainStep.InputTransform</c> and <c>TrainStep.ForwardWrapper</c>:
/// <c>step.InputTransform = FastPath.InputTransform(cl)</c>, <c>step.ForwardWrapper = FastPath.ForwardWrapper(precision)</c>.
/// </summary>
public static class FastPath
{
    /// <summary>
    /// Converts the model's convolution weights to channels_last (in place, same parameter objects) when asked, turns on
    /// cuDNN benchmark mode when the model is on CUDA, and keeps the native heap's freed memory when it is on the CPU.
    /// Call before training starts.
    /// </summary>
    public static void Prepare(nn.Module model, bool channelsLast)
    {
        if (channelsLast) ChannelsLast.Apply(model);
        if (model.parameters().FirstOrDefault()?.device.type == DeviceType.CUDA) CuDnn.Benchmark = true;
        else NativeHeap.KeepFreedMemory();
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
