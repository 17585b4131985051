using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace ResNetSharp.Runtime.Kernels;

/// <summary>
/// The OpenMP runtime that TorchSharp's libtorch loads (its own libgomp), so that the project's CPU kernels run on the
/// same thread team as ATen's kernels and oneDNN's convolutions: a second thread pool would compete with OpenMP's
/// spinning workers for the same cores. The library is found among the process's mapped files once libtorch is loaded;
/// where there is none (a libtorch built with another OpenMP, or another OS), <see cref="Available"/> is false.
/// </summary>
internal static unsafe class OpenMp
{
    /// <summary>Elements a thread should have at least before a kernel is split across threads (ATen's grain size).</summary>
    private const long GrainSize = 32768;

    private static readonly delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> Parallel;
    private static readonly delegate* unmanaged<int> ThreadNum, NumThreads, MaxThreads;

    static OpenMp()
    {
        InitializeDeviceType(TorchSharp.DeviceType.CPU);   // loads libtorch, and with it libgomp
        if (!OperatingSystem.IsLinux() || FindLibrary() is not { } path || !NativeLibrary.TryLoad(path, out var gomp)) return;
        if (NativeLibrary.TryGetExport(gomp, "GOMP_parallel", out var parallel)
            && NativeLibrary.TryGetExport(gomp, "omp_get_thread_num", out var threadNum)
            && NativeLibrary.TryGetExport(gomp, "omp_get_num_threads", out var numThreads)
            && NativeLibrary.TryGetExport(gomp, "omp_get_max_threads", out var maxThreads))
        {
            Parallel = (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)parallel;
            ThreadNum = (delegate* unmanaged<int>)threadNum;
            NumThreads = (delegate* unmanaged<int>)numThreads;
            MaxThreads = (delegate* unmanaged<int>)maxThreads;
        }
    }

    /// <summary>Whether libtorch's libgomp was found.</summary>
    public static bool Available => Parallel != null;

    /// <summary>The most threads a kernel of <paramref name="elements"/> elements runs on from this thread.</summary>
    public static int Threads(long elements) => Available ? (int)Math.Clamp(elements / GrainSize, 1, MaxThreads()) : 1;

    /// <summary>
    /// Runs <paramref name="kernel"/> on <paramref name="threads"/> threads of the team (on this thread alone when one),
    /// each called with <paramref name="args"/>, its thread index and the team size. The kernel must not throw.
    /// </summary>
    public static void Run(delegate*<void*, int, int, void> kernel, void* args, int threads)
    {
        if (threads <= 1 || !Available)
        {
            kernel(args, 0, 1);
            return;
        }
        var call = new Call(kernel, args);
        Parallel(&Team, &call, (uint)threads, 0);
    }

    private readonly struct Call(delegate*<void*, int, int, void> kernel, void* args)
    {
        public readonly delegate*<void*, int, int, void> Kernel = kernel;
        public readonly void* Args = args;
    }

    [UnmanagedCallersOnly]
    private static void Team(void* call) => ((Call*)call)->Kernel(((Call*)call)->Args, ThreadNum(), NumThreads());

    /// <summary>The path of the libgomp mapped into this process, or null.</summary>
    private static string? FindLibrary()
    {
        foreach (var line in File.ReadLines("/proc/self/maps"))
        {
            int slash = line.IndexOf('/');
            if (slash < 0) continue;
            var path = line[slash..];
            if (Path.GetFileName(path).StartsWith("libgomp", StringComparison.Ordinal)) return path;
        }
        return null;
    }
}
