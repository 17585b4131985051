using System.Runtime.InteropServices;

namespace ResNetSharp.Distributed.Mpi;

/// <summary>
/// Open MPI's C API by P/Invoke (libmpi.so.40, Open MPI 4.x). Open MPI's predefined handles (MPI_COMM_WORLD,
/// MPI_FLOAT, MPI_SUM, …) are the addresses of exported objects (<c>ompi_mpi_comm_world</c>, …), looked up once.
/// </summary>
internal static class MpiNative
{
    public const string Library = "libmpi.so.40";
    public const int Success = 0;
    public const int ThreadSerialized = 2;
    public static readonly IntPtr InPlace = 1;   // MPI_IN_PLACE

    private static readonly Lazy<IntPtr> Handle = new(() =>
    {
        try { return NativeLibrary.Load(Library, typeof(MpiNative).Assembly, null); }
        catch (DllNotFoundException e)
        {
            throw new ResNetSharpException($"Open MPI ({Library}) could not be loaded ({e.Message}): install it (Debian/Ubuntu: apt-get install openmpi-bin libopenmpi-dev) and launch with mpirun.");
        }
    });

    /// <summary>Loads libmpi, or throws one clear error saying how to install it.</summary>
    public static void EnsureLoaded() => _ = Handle.Value;

    public static IntPtr Symbol(string name) => NativeLibrary.GetExport(Handle.Value, name);

    public static IntPtr CommWorld => Symbol("ompi_mpi_comm_world");
    public static IntPtr ErrorsReturn => Symbol("ompi_mpi_errors_return");

    [DllImport(Library)] public static extern int MPI_Initialized(out int flag);
    [DllImport(Library)] public static extern int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);
    [DllImport(Library)] public static extern int MPI_Finalize();
    [DllImport(Library)] public static extern int MPI_Comm_rank(IntPtr comm, out int rank);
    [DllImport(Library)] public static extern int MPI_Comm_size(IntPtr comm, out int size);
    [DllImport(Library)] public static extern int MPI_Comm_set_errhandler(IntPtr comm, IntPtr handler);
    [DllImport(Library)] public static extern int MPI_Error_string(int code, byte[] text, out int length);
    [DllImport(Library)] public static extern int MPI_Iallreduce(IntPtr send, IntPtr receive, int count, IntPtr type, IntPtr op, IntPtr comm, out IntPtr request);
    [DllImport(Library)] public static extern int MPI_Ibcast(IntPtr buffer, int count, IntPtr type, int root, IntPtr comm, out IntPtr request);
    [DllImport(Library)] public static extern int MPI_Iallgather(IntPtr send, int sendCount, IntPtr sendType, IntPtr receive, int receiveCount, IntPtr receiveType, IntPtr comm, out IntPtr request);
    [DllImport(Library)] public static extern int MPI_Ibarrier(IntPtr comm, out IntPtr request);
    [DllImport(Library)] public static extern int MPI_Test(ref IntPtr request, out int flag, IntPtr status);

    /// <summary>The engine's text for an error code.</summary>
    public static string ErrorString(int code)
    {
        var text = new byte[512];   // MPI_MAX_ERROR_STRING is 256
        return MPI_Error_string(code, text, out int length) == Success
            ? System.Text.Encoding.ASCII.GetString(text, 0, Math.Clamp(length, 0, text.Length))
            : $"error code {code}";
    }
}
