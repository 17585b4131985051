using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>
/// Ambient mixed precision: libtorch's own autocast (what Python's <c>torch.autocast</c> switches on), which TorchSharp
/// does not expose. Inside <c>using (Autocast.Enter(Precision.BF16))</c> the dispatcher runs every convolution and
/// linear layer in bf16 (casting fp32 inputs and weights, each weight once per outermost scope), and keeps the ops on
/// torch.autocast's CPU fp32 list (losses, among others) in fp32; batch norm keeps fp32 parameters and running
/// statistics and takes the activations as they come. Models therefore call their layers plainly: the precision is
/// set once around the forward pass and loss of a step, as PyTorch does. The casts are differentiable, so the fp32
/// master weights receive fp32 gradients and the optimizer state stays fp32. The state is per thread, like PyTorch's,
/// and applies to CPU and CUDA tensors alike.
/// </summary>
public static class Autocast
{
    private const string Torch = "libtorch_cpu";
    private const sbyte Cpu = 0, Cuda = 1;   // c10::DeviceType

    // Loads libtorch (TorchSharp's native libraries) before the first call into it.
    static Autocast() => InitializeDeviceType(TorchSharp.DeviceType.CPU);

    /// <summary>The dtype convolutions and linear layers compute in on this thread, or null for no casting.</summary>
    public static ScalarType? ComputeType => IsEnabled(Cpu) ? (ScalarType)GetDtype(Cpu) : null;

    /// <summary>Runs convolutions and linear layers in the precision's compute type until the returned scope is disposed.</summary>
    public static IDisposable Enter(Precision precision)
    {
        var previous = new Scope(Save(Cpu), Save(Cuda));
        bool enabled = precision != Precision.FP32;
        foreach (var device in (ReadOnlySpan<sbyte>)[Cpu, Cuda])
        {
            SetEnabled(device, enabled);
            if (enabled) SetDtype(device, (sbyte)precision.ComputeType());
        }
        IncrementNesting();
        return previous;
    }

    private static (bool Enabled, sbyte Dtype) Save(sbyte device) => (IsEnabled(device), GetDtype(device));

    /// <summary>Restores the enclosing state; leaving the outermost scope frees the cached bf16 weight copies.</summary>
    private sealed class Scope((bool Enabled, sbyte Dtype) cpu, (bool Enabled, sbyte Dtype) cuda) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (_disposed) return;
            _disposed = true;
            if (DecrementNesting() == 0) ClearCache();
            SetEnabled(Cpu, cpu.Enabled);
            SetDtype(Cpu, cpu.Dtype);
            SetEnabled(Cuda, cuda.Enabled);
            SetDtype(Cuda, cuda.Dtype);
        }
    }

    // at::autocast in libtorch_cpu (loaded with TorchSharp's native library); c10::DeviceType and c10::ScalarType are int8 enums.
    [DllImport(Torch, EntryPoint = "_ZN2at8autocast19is_autocast_enabledEN3c1010DeviceTypeE")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static extern bool IsEnabled(sbyte device);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast20set_autocast_enabledEN3c1010DeviceTypeEb")]
    private static extern void SetEnabled(sbyte device, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast18get_autocast_dtypeEN3c1010DeviceTypeE")]
    private static extern sbyte GetDtype(sbyte device);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast18set_autocast_dtypeEN3c1010DeviceTypeENS1_10ScalarTypeE")]
    private static extern void SetDtype(sbyte device, sbyte dtype);

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast17increment_nestingEv")]
    private static extern int IncrementNesting();

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast17decrement_nestingEv")]
    private static extern int DecrementNesting();

    [DllImport(Torch, EntryPoint = "_ZN2at8autocast11clear_cacheEv")]
    private static extern void ClearCache();
}
