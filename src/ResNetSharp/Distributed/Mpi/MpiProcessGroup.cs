using System.Diagnostics;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed.Mpi;

/// <summary>
/// A <see cref="ProcessGroup"/> on Open MPI for CPU tensors: MPI_COMM_WORLD of a job started by <c>mpirun</c>. Errors are
/// returned, not fatal (MPI_ERRORS_RETURN), and become exceptions naming the call, the rank and MPI's message. Each
/// collective is started non-blocking and polled, so one that runs past the timeout is an error instead of a hang.
/// MPI can be initialised once per process: create one group per process and dispose it at the end.
/// </summary>
public sealed class MpiProcessGroup : ProcessGroup
{
    private readonly IntPtr _comm;
    private bool _disposed;

    private MpiProcessGroup(IntPtr comm, int rank, int size, int localRank, TimeSpan timeout) : base(rank, size, localRank, timeout) => _comm = comm;

    /// <inheritdoc/>
    public override string Backend => "mpi";

    /// <summary>Initialises MPI (once per process) and joins MPI_COMM_WORLD; <paramref name="localRank"/> comes from the launcher.</summary>
    public static MpiProcessGroup Initialize(int localRank, TimeSpan timeout)
    {
        MpiNative.EnsureLoaded();
        Check(MpiNative.MPI_Initialized(out int initialized), "MPI_Initialized", -1);
        if (initialized != 0)
            throw new ResNetSharpException("MPI is already initialised in this process: create one MpiProcessGroup per process.");
        Check(MpiNative.MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadSerialized, out _), "MPI_Init_thread", -1);
        var comm = MpiNative.CommWorld;
        Check(MpiNative.MPI_Comm_set_errhandler(comm, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler", -1);
        Check(MpiNative.MPI_Comm_rank(comm, out int rank), "MPI_Comm_rank", -1);
        Check(MpiNative.MPI_Comm_size(comm, out int size), "MPI_Comm_size", rank);
        return new MpiProcessGroup(comm, rank, size, localRank, timeout);
    }

    /// <inheritdoc/>
    protected override void AllReduceCore(Tensor tensor, ReduceOp op)
    {
        var type = DataType(tensor);
        var mpiOp = MpiNative.Symbol(op == ReduceOp.Max ? "ompi_mpi_op_max" : "ompi_mpi_op_sum");
        foreach (var (offset, count) in Chunks(tensor))
        {
            Check(MpiNative.MPI_Iallreduce(MpiNative.InPlace, Address(tensor, offset), count, type, mpiOp, _comm, out var request), "MPI_Iallreduce");
            Wait(request, "MPI_Iallreduce");
        }
    }

    /// <inheritdoc/>
    protected override void BroadcastCore(Tensor tensor, int root)
    {
        var type = DataType(tensor);
        foreach (var (offset, count) in Chunks(tensor))
        {
            Check(MpiNative.MPI_Ibcast(Address(tensor, offset), count, type, root, _comm, out var request), "MPI_Ibcast");
            Wait(request, "MPI_Ibcast");
        }
    }

    /// <inheritdoc/>
    protected override void AllGatherCore(Tensor input, Tensor output)
    {
        var type = DataType(input);
        int count = checked((int)input.NumberOfElements);
        Check(MpiNative.MPI_Iallgather(Address(input, 0), count, type, Address(output, 0), count, type, _comm, out var request), "MPI_Iallgather");
        Wait(request, "MPI_Iallgather");
    }

    /// <inheritdoc/>
    protected override void BarrierCore()
    {
        Check(MpiNative.MPI_Ibarrier(_comm, out var request), "MPI_Ibarrier");
        Wait(request, "MPI_Ibarrier");
    }

    /// <summary>Polls a request until it completes, or throws after <see cref="ProcessGroup.Timeout"/>.</summary>
    private void Wait(IntPtr request, string call)
    {
        var clock = Stopwatch.StartNew();
        for (int polls = 0; ; polls++)
        {
            Check(MpiNative.MPI_Test(ref request, out int done, IntPtr.Zero), "MPI_Test");
            if (done != 0) return;
            if ((polls & 1023) == 1023)
            {
                if (clock.Elapsed > Timeout) throw TimedOut(call);
                Thread.Yield();
            }
        }
    }

    private static IntPtr DataType(Tensor tensor) => MpiNative.Symbol(tensor.dtype switch
    {
        ScalarType.Float32 => "ompi_mpi_float",
        ScalarType.Float64 => "ompi_mpi_double",
        ScalarType.Int64 => "ompi_mpi_int64_t",
        ScalarType.Byte => "ompi_mpi_byte",
        var t => throw new ArgumentException($"the MPI process group reduces float32, float64, int64 and uint8 tensors, not {t}."),
    });

    private static void CheckCpu(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CPU)
            throw new ResNetSharpException($"the MPI process group takes CPU tensors, not {tensor.device}: CUDA tensors go through NCCL (train with TrainOptions.Device cuda).");
    }

    /// <summary>MPI counts are ints: a tensor of more than 2^31 − 1 elements goes in pieces.</summary>
    private static IEnumerable<(long Offset, int Count)> Chunks(Tensor tensor)
    {
        CheckCpu(tensor);
        long total = tensor.NumberOfElements;
        for (long offset = 0; offset < total; offset += int.MaxValue)
            yield return (offset, (int)Math.Min(int.MaxValue, total - offset));
    }

    private static IntPtr Address(Tensor tensor, long offset)
    {
        CheckCpu(tensor);
        return TensorMemory.Address(tensor, offset);
    }

    private void Check(int code, string call)
    {
        if (code != MpiNative.Success) throw Error(call, MpiNative.ErrorString(code));
    }

    private static void Check(int code, string call, int rank)
    {
        if (code != MpiNative.Success)
            throw CallFailed("mpi", call, rank < 0 ? "this process" : $"rank {rank}", MpiNative.ErrorString(code));
    }

    /// <summary>MPI_Finalize after a normal end; after a failure (<see cref="ProcessGroup.Failed"/>) nothing, so mpirun ends the other ranks.</summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (!Failed) Check(MpiNative.MPI_Finalize(), "MPI_Finalize");
    }
}
