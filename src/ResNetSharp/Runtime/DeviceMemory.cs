using System.Runtime.InteropServices;

namespace ResNetSharp.Runtime;

/// <summary>
/// GPU memory in use on the current CUDA device (total minus free, from the CUDA driver's <c>cuMemGetInfo</c>):
/// the CUDA context plus everything libtorch's caching allocator holds. The caching allocator keeps what it once
/// reserved, so read after a run this is the run's peak. TorchSharp 0.107 has no <c>torch.cuda.max_memory_*</c>.
/// </summary>
public static class DeviceMemory
{
    [DllImport("libcuda.so.1", EntryPoint = "cuMemGetInfo_v2")]
    private static extern int CuMemGetInfo(out nuint free, out nuint total);

    /// <summary>Bytes in use on the current device, or null when there is no CUDA driver or no current context.</summary>
    public static long? UsedBytes()
    {
        try
        {
            return CuMemGetInfo(out var free, out var total) == 0 ? (long)(total - free) : null;
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }
}
