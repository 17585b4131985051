using System.Runtime.InteropServices;
using ResNetSharp.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed.Nccl;

/// <summary>
/// A <see cref="ProcessGroup"/> on NCCL for CUDA tensors, one GPU per rank (NCCL refuses two ranks on one GPU).
/// Collectives are enqueued on the legacy default CUDA stream, the one TorchSharp's kernels run on, so they are ordered
/// after the kernels that produced their input and before those that read their output with no extra event. Each
/// collective then synchronises the device on a worker thread and waits at most <see cref="ProcessGroup.Timeout"/>,
/// polling NCCL's asynchronous error; on a timeout or an error the communicator is aborted and the call throws.
/// </summary>
public sealed class NcclProcessGroup : ProcessGroup
{
    private readonly IntPtr _comm;
    private readonly int _device;
    private bool _disposed;

    private NcclProcessGroup(IntPtr comm, int device, int rank, int size, int localRank, TimeSpan timeout) : base(rank, size, localRank, timeout)
    {
        _comm = comm;
        _device = device;
    }

    /// <inheritdoc/>
    public override string Backend => "nccl";

    /// <summary>
    /// Joins the job on <paramref name="device"/>: loads libnccl.so.2 (one clear error when it is missing), selects the
    /// GPU, gets rank 0's unique id over TCP (<see cref="UniqueIdExchange"/>) and creates the communicator.
    /// </summary>
    public static NcclProcessGroup Create(Launch launch, torch.Device device, TimeSpan timeout)
    {
        NcclNative.EnsureLoaded();
        if (device.type != DeviceType.CUDA)
            throw new ResNetSharpException($"NCCL reduces CUDA tensors; {device} is not a GPU: use the MPI process group for the CPU.");
        int gpu = device.index < 0 ? 0 : device.index;
        NcclNative.SetDevice(gpu);
        NcclUniqueId id = default;
        byte[] bytes = new byte[NcclNative.UniqueIdBytes];
        if (launch.Rank == 0)
        {
            Check(NcclNative.ncclGetUniqueId(out id), "ncclGetUniqueId", launch);
            MemoryMarshal.AsBytes<NcclUniqueId>(new Span<NcclUniqueId>(ref id)).CopyTo(bytes);
            if (launch.WorldSize > 1) UniqueIdExchange.Serve(bytes, launch.WorldSize - 1, launch.MasterAddr, launch.MasterPort, timeout);
        }
        else
        {
            bytes = UniqueIdExchange.Fetch(NcclNative.UniqueIdBytes, launch.MasterAddr, launch.MasterPort, timeout);
            bytes.CopyTo(MemoryMarshal.AsBytes<NcclUniqueId>(new Span<NcclUniqueId>(ref id)));
        }
        Check(NcclNative.ncclCommInitRank(out var comm, launch.WorldSize, id, launch.Rank), "ncclCommInitRank", launch);
        return new NcclProcessGroup(comm, gpu, launch.Rank, launch.WorldSize, launch.LocalRank, timeout);
    }

    /// <inheritdoc/>
    protected override void AllReduceCore(Tensor tensor, ReduceOp op) =>
        Run("ncclAllReduce", NcclNative.ncclAllReduce(TensorMemory.Address(tensor), TensorMemory.Address(tensor), (nuint)tensor.NumberOfElements, DataType(tensor),
            op == ReduceOp.Max ? NcclNative.OpMax : NcclNative.OpSum, _comm, IntPtr.Zero));

    /// <inheritdoc/>
    protected override void BroadcastCore(Tensor tensor, int root) =>
        Run("ncclBroadcast", NcclNative.ncclBroadcast(TensorMemory.Address(tensor), TensorMemory.Address(tensor), (nuint)tensor.NumberOfElements, DataType(tensor), root, _comm, IntPtr.Zero));

    /// <inheritdoc/>
    protected override void AllGatherCore(Tensor input, Tensor output) =>
        Run("ncclAllGather", NcclNative.ncclAllGather(TensorMemory.Address(input), TensorMemory.Address(output), (nuint)input.NumberOfElements, DataType(input), _comm, IntPtr.Zero));

    /// <inheritdoc/>
    protected override void BarrierCore()
    {
        using var one = ones(1, ScalarType.Float32, new torch.Device(DeviceType.CUDA, _device));
        AllReduceCore(one, ReduceOp.Sum);
    }

    /// <summary>Checks the enqueue's result, then waits for the device with the timeout, watching NCCL's asynchronous error.</summary>
    private void Run(string call, int code)
    {
        if (code != NcclNative.Success) throw Aborted(call, NcclNative.ErrorString(code));
        var device = new torch.Device(DeviceType.CUDA, _device);
        var done = Task.Run(() => torch.cuda.synchronize(device));   // a worker thread: its current device is not ours
        var deadline = DateTime.UtcNow + Timeout;
        while (!done.Wait(TimeSpan.FromMilliseconds(50)))
        {
            if (NcclNative.ncclCommGetAsyncError(_comm, out int error) == NcclNative.Success && error != NcclNative.Success)
                throw Aborted(call, NcclNative.ErrorString(error));
            if (DateTime.UtcNow > deadline)
            {
                Abort();
                throw TimedOut(call);
            }
        }
    }

    private ResNetSharpException Aborted(string call, string message)
    {
        Abort();
        return Error(call, message);
    }

    private void Abort()
    {
        if (_disposed) return;
        _disposed = true;
        Failed = true;
        NcclNative.ncclCommAbort(_comm);
    }

    private static int DataType(Tensor tensor)
    {
        if (tensor.device_type != DeviceType.CUDA)
            throw new ResNetSharpException($"the NCCL process group takes CUDA tensors, not {tensor.device}.");
        return tensor.dtype switch
        {
            ScalarType.Float32 => NcclNative.Float32,
            ScalarType.Float64 => NcclNative.Float64,
            ScalarType.BFloat16 => NcclNative.Bfloat16,
            ScalarType.Int64 => NcclNative.Int64,
            ScalarType.Byte => NcclNative.Uint8,
            var t => throw new ArgumentException($"the NCCL process group reduces float32, float64, bfloat16, int64 and uint8 tensors, not {t}."),
        };
    }

    private static void Check(int code, string call, Launch launch)
    {
        if (code != NcclNative.Success)
            throw CallFailed("nccl", call, $"rank {launch.Rank} of {launch.WorldSize}", NcclNative.ErrorString(code));
    }

    /// <summary>Destroys the communicator (aborts it after a failure).</summary>
    public override void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        if (Failed) NcclNative.ncclCommAbort(_comm);
        else NcclNative.ncclCommDestroy(_comm);
    }
}
