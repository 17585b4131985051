using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>The device address of a tensor's first element, for the collectives' C APIs (TorchSharp's own native export).</summary>
internal static class TensorMemory
{
    [DllImport("LibTorchSharp")]
    private static extern IntPtr THSTensor_data(IntPtr tensor);

    /// <summary>The address of element <paramref name="offset"/> of a contiguous tensor.</summary>
    public static IntPtr Address(Tensor tensor, long offset = 0) =>
        (IntPtr)((long)THSTensor_data(tensor.Handle) + offset * tensor.ElementSize);
}
