using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ResNetSharp.Distributed.Nccl;

/// <summary>NCCL's opaque 128-byte communicator id (<c>ncclUniqueId</c>), passed by value.</summary>
[InlineArray(NcclNative.UniqueIdBytes)]
internal struct NcclUniqueId
{
    private byte _first;
}

/// <summary>
/// NCCL's C API by P/Invoke, loaded by name as <c>libnccl.so.2</c> (PyTorch's CUDA wheels ship it under
/// site-packages/nvidia/nccl/lib: put that directory on LD_LIBRARY_PATH), and <c>cudaSetDevice</c> from the CUDA runtime.
/// </summary>
internal static class NcclNative
{
    public const string Library = "libnccl.so.2";
    public const int UniqueIdBytes = 128;
    public const int Success = 0;

    // ncclDataType_t and ncclRedOp_t values (nccl.h).
    public const int Uint8 = 1, Int64 = 4, Float32 = 7, Float64 = 8, Bfloat16 = 9;
    public const int OpSum = 0, OpMax = 2;

    private static readonly Lazy<string?> Loaded = new(() => LoadError(Library));

    /// <summary>Null when <paramref name="library"/> loads, else the error saying where to find NCCL.</summary>
    internal static string? LoadError(string library) =>
        NativeLibrary.TryLoad(library, typeof(NcclNative).Assembly, null, out _) ? null
            : $"NCCL ({library}) could not be loaded: put the directory that holds it on LD_LIBRARY_PATH (PyTorch's CUDA wheels have it in site-packages/nvidia/nccl/lib), or install NCCL (libnccl2).";

    /// <summary>Loads libnccl, or throws one clear error saying where to find it.</summary>
    public static void EnsureLoaded()
    {
        if (Loaded.Value is { } message) throw new ResNetSharpException(message);
    }

    [DllImport(Library)] public static extern int ncclGetUniqueId(out NcclUniqueId id);
    [DllImport(Library)] public static extern int ncclCommInitRank(out IntPtr comm, int ranks, NcclUniqueId id, int rank);
    [DllImport(Library)] public static extern int ncclAllReduce(IntPtr send, IntPtr receive, nuint count, int type, int op, IntPtr comm, IntPtr stream);
    [DllImport(Library)] public static extern int ncclBroadcast(IntPtr send, IntPtr receive, nuint count, int type, int root, IntPtr comm, IntPtr stream);
    [DllImport(Library)] public static extern int ncclAllGather(IntPtr send, IntPtr receive, nuint count, int type, IntPtr comm, IntPtr stream);
    [DllImport(Library)] public static extern int ncclCommGetAsyncError(IntPtr comm, out int error);
    [DllImport(Library)] public static extern int ncclCommDestroy(IntPtr comm);
    [DllImport(Library)] public static extern int ncclCommAbort(IntPtr comm);
    [DllImport(Library)] private static extern IntPtr ncclGetErrorString(int code);

    /// <summary>NCCL's text for a result code.</summary>
    public static string ErrorString(int code) => Marshal.PtrToStringAnsi(ncclGetErrorString(code)) ?? $"NCCL error {code}";

    /// <summary>Makes GPU <paramref name="index"/> this thread's current CUDA device, which NCCL's communicator binds to.</summary>
    public static void SetDevice(int index)
    {
        foreach (var name in new[] { "libcudart.so", "libcudart.so.13", "libcudart.so.12", "libcudart.so.11.0" })
        {
            if (!NativeLibrary.TryLoad(name, typeof(NcclNative).Assembly, null, out var cudart)) continue;
            var setDevice = Marshal.GetDelegateForFunctionPointer<CudaSetDevice>(NativeLibrary.GetExport(cudart, "cudaSetDevice"));
            int code = setDevice(index);
            if (code != 0) throw new ResNetSharpException($"cudaSetDevice({index}) failed with CUDA error {code}: check LOCAL_RANK against the GPUs present.");
            return;
        }
        if (index != 0)
            throw new ResNetSharpException($"the CUDA runtime (libcudart.so) could not be loaded to select GPU {index} (LOCAL_RANK): put its directory on LD_LIBRARY_PATH (PyTorch's CUDA wheels have it in site-packages/nvidia/cuda_runtime/lib).");
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int CudaSetDevice(int device);
}
