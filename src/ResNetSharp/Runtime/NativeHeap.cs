using System.Runtime.InteropServices;

namespace ResNetSharp.Runtime;

/// <summary>
/// Keeps the native heap's freed memory for reuse (glibc only). libtorch allocates a CPU step's activations and
/// gradients with <c>malloc</c> and frees them at the end of the step; glibc serves blocks above its mmap threshold
/// (128 KiB, raised adaptively) from fresh mappings and trims the heap's top when more than 128 KiB is free, so every
/// step the kernel maps, zero-fills and unmaps the same megabytes again: about 6,000 page faults a step for resnet20 at
/// batch 128 on 28x28 images. <see cref="KeepFreedMemory"/> raises both thresholds (the mmap threshold
/// to glibc's maximum, 32 MiB), so the steps reuse the heap: a CPU training process then keeps its peak heap resident,
/// as PyTorch's caching allocator does on a GPU (the main thread's heap wholly; a secondary thread's arena up to glibc's
/// 64 MiB heap size, beyond which an emptied heap is still unmapped). Elsewhere (musl, Windows, macOS) it does nothing.
/// </summary>
public static class NativeHeap
{
    private const int TrimThreshold = -1, MmapThreshold = -3;   // mallopt's M_TRIM_THRESHOLD and M_MMAP_THRESHOLD
    private const int MaxMmapThreshold = 32 << 20;              // glibc refuses more than HEAP_MAX_SIZE / 2 on 64-bit
    private static readonly Lazy<bool> Applied = new(Apply);

    /// <summary>
    /// Raises glibc's mmap and trim thresholds once per process; true when glibc took both (false elsewhere). The
    /// heap then keeps freed memory instead of returning it to the system.
    /// </summary>
    public static bool KeepFreedMemory() => Applied.Value;

    private static bool Apply()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            return Mallopt(MmapThreshold, MaxMmapThreshold) == 1 && Mallopt(TrimThreshold, int.MaxValue) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;   // not glibc
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);
}
