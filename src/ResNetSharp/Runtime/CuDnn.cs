using System.Runtime.InteropServices;
using TorchSharp;

namespace ResNetSharp.Runtime;

/// <summary>
/// cuDNN's autotuner (<c>torch.backends.cudnn.benchmark</c>), which TorchSharp 0.107 does not expose: set through
/// libtorch's <c>at::globalContext().setBenchmarkCuDNN(bool)</c>, called through the exported C++ symbols of the
/// <c>libtorch_cpu</c> that TorchSharp loaded (a member function takes <c>this</c> as its first argument). With it on,
/// the first call of each convolution shape times the available algorithms and keeps the fastest: worth it when
/// shapes are static. The flag lives in libtorch's global context, so it also reads and writes on a CPU build
/// (where it has no effect).
/// </summary>
public static class CuDnn
{
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate IntPtr GlobalContextFn();

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate void SetFlagFn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool value);

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.U1)]
    private delegate bool GetFlagFn(IntPtr context);

    private static readonly Lazy<(IntPtr Context, SetFlagFn Set, GetFlagFn Get)> Native = new(() =>
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        // Resolved like TorchSharp's own load of "torch_cpu", so this is the very library TorchSharp uses.
        var lib = NativeLibrary.Load("torch_cpu", typeof(torch).Assembly, null);
        T Export<T>(string symbol) where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(lib, symbol));
        var context = Export<GlobalContextFn>("_ZN2at13globalContextEv")();
        return (context, Export<SetFlagFn>("_ZN2at7Context17setBenchmarkCuDNNEb"), Export<GetFlagFn>("_ZNK2at7Context14benchmarkCuDNNEv"));
    });

    /// <summary>cuDNN benchmark mode: on picks the fastest convolution algorithm per shape (the first call is slower).</summary>
    public static bool Benchmark
    {
        get => Native.Value.Get(Native.Value.Context);
        set => Native.Value.Set(Native.Value.Context, value);
    }
}
