using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime;

/// <summary>The address of a tensor's first element (TorchSharp's own native export), for native APIs and pointer loops.</summary>
internal static class TensorMemory
{
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr tensor);

    /// <summary>The address of element <paramref name="offset"/> of a contiguous tensor.</summary>
    public static IntPtr Address(Tensor tensor, long offset = 0) =>
        (IntPtr)((long)THSTensor_data(tensor.Handle) + offset * tensor.ElementSize);
}
