using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ResNetSharp.Runtime;

/// <summary>
/// Mixed precision for TorchSharp, which has no <c>torch.autocast</c>: inside <c>using (Autocast.Enter(Precision.BF16))</c>,
/// every convolution and linear layer that the models run through <see cref="Forward"/> casts its input and its fp32
/// weights to bf16 and computes in bf16. The cast is differentiable, so the fp32 master weights receive fp32
/// gradients and the optimizer state stays fp32. Batch norm keeps fp32 parameters and running statistics (libtorch's
/// batch norm takes a bf16 input with fp32 parameters); residual adds and ReLUs run in the activations' bf16.
/// The scope is per thread, like PyTorch's; outside any scope <see cref="Forward"/> is a plain call.
/// </summary>
public static class Autocast
{
    [ThreadStatic] private static ScalarType? _computeType;

    /// <summary>The dtype convolutions and linear layers compute in on this thread, or null for no casting.</summary>
    public static ScalarType? ComputeType => _computeType;

    /// <summary>Runs convolutions and linear layers in the precision's compute type until the returned scope is disposed.</summary>
    public static IDisposable Enter(Precision precision)
    {
        var previous = _computeType;
        _computeType = precision == Precision.FP32 ? null : precision.ComputeType();
        return new Scope(previous);
    }

    /// <summary>
    /// Runs <paramref name="module"/> on <paramref name="input"/>: convolutions and linear layers (also inside a
    /// <c>Sequential</c>) in the current compute type, anything else as a plain call.
    /// </summary>
    public static Tensor Forward(Module<Tensor, Tensor> module, Tensor input)
    {
        if (_computeType is not { } type) return module.call(input);
        switch (module)
        {
            case TorchSharp.Modules.Conv2d conv when conv.padding_mode == PaddingModes.Zeros && conv.padding is not null:
            {
                using var scope = NewDisposeScope();
                return functional.conv2d(input.to(type), conv.weight.to(type), conv.bias?.to(type),
                    conv.stride, conv.padding, conv.dilation, conv.groups).MoveToOuterDisposeScope();
            }
            case TorchSharp.Modules.Linear linear:
            {
                using var scope = NewDisposeScope();
                return functional.linear(input.to(type), linear.weight.to(type), linear.bias?.to(type)).MoveToOuterDisposeScope();
            }
            case TorchSharp.Modules.Sequential sequential:
            {
                using var scope = NewDisposeScope();
                var x = input;
                foreach (var child in sequential.children()) x = Forward((Module<Tensor, Tensor>)child, x);
                return x.MoveToOuterDisposeScope();
            }
            default:
                return module.call(input);
        }
    }

    private sealed class Scope(ScalarType? previous) : IDisposable
    {
        public void Dispose() => _computeType = previous;
    }
}
