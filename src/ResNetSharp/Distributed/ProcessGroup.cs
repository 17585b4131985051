using System.Diagnostics;
using static TorchSharp.torch;

namespace ResNetSharp.Distributed;

/// <summary>How <see cref="ProcessGroup.AllReduce"/> combines the ranks' tensors.</summary>
public enum ReduceOp
{
    /// <summary>The element-wise sum over the ranks.</summary>
    Sum,
    /// <summary>The element-wise mean over the ranks (the sum divided by the world size).</summary>
    Mean,
    /// <summary>The element-wise maximum over the ranks.</summary>
    Max,
}

/// <summary>
/// The processes of one data-parallel job and their collectives, as <c>torch.distributed</c> has them: world size,
/// rank, local rank; in-place all-reduce, broadcast, all-gather of small tensors and barrier. <see cref="Mpi.MpiProcessGroup"/>
/// runs them on Open MPI for CPU tensors, <see cref="Nccl.NcclProcessGroup"/> on NCCL for CUDA tensors. Every collective
/// is given <see cref="Timeout"/>: one that does not complete in time (a rank died or hangs) is a
/// <see cref="ResNetSharpException"/> naming the call and the rank, never a silent hang. Time spent and bytes all-reduced
/// are counted for benchmarks. Create one with <see cref="Launch.Create"/>.
/// </summary>
public abstract class ProcessGroup : IDisposable
{
    private readonly Stopwatch _clock = new();

    /// <summary>Checks and records this process' place in the world.</summary>
    /// <param name="rank">This process' rank, 0 to <paramref name="worldSize"/> - 1.</param>
    /// <param name="worldSize">The number of processes.</param>
    /// <param name="localRank">The rank on this machine (picks the GPU, <c>cuda:LOCAL_RANK</c>).</param>
    /// <param name="timeout">How long a collective may take before it is an error.</param>
    /// <exception cref="ResNetSharpException">The rank is outside the world.</exception>
    protected ProcessGroup(int rank, int worldSize, int localRank, TimeSpan timeout)
    {
        if (worldSize < 1 || rank < 0 || rank >= worldSize)
            throw new ResNetSharpException($"rank {rank} is outside a world of {worldSize} processes: check RANK and WORLD_SIZE (or the mpirun -np count).");
        Rank = rank;
        WorldSize = worldSize;
        LocalRank = localRank;
        Timeout = timeout;
    }

    /// <summary>This process's index in the job, 0 … <see cref="WorldSize"/> − 1.</summary>
    public int Rank { get; }

    /// <summary>Processes in the job.</summary>
    public int WorldSize { get; }

    /// <summary>This process's index on its machine (which GPU it uses).</summary>
    public int LocalRank { get; }

    /// <summary>Whether this is rank 0, the one that writes files and prints.</summary>
    public bool IsMain => Rank == 0;

    /// <summary>The longest a collective may take before the job is declared failed.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>The engine: "mpi" or "nccl".</summary>
    public abstract string Backend { get; }

    /// <summary>Wall time spent in collectives so far (communication, for benchmarks).</summary>
    public TimeSpan CommunicationTime => _clock.Elapsed;

    /// <summary>Bytes passed to <see cref="AllReduce"/> so far (per rank).</summary>
    public long BytesAllReduced { get; private set; }

    /// <summary>Set when this rank failed: disposing then skips the collective shutdown, so the launcher ends the job.</summary>
    public bool Failed { get; set; }

    /// <summary>
    /// Marks this rank failed (no collective shutdown: the launcher ends the other ranks) and returns the exception to
    /// throw: an input error (<see cref="ResNetSharpException"/>) prefixed with "rank R of W"; anything else is rethrown
    /// here with its stack trace. Use as <c>catch (Exception e) { throw group.Fail(e); }</c>.
    /// </summary>
    public Exception Fail(Exception e)
    {
        Failed = true;
        if (e is ResNetSharpException && WorldSize > 1) return new ResNetSharpException($"rank {Rank} of {WorldSize}: {e.Message}", e);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e).Throw();
        return e;
    }

    /// <summary>Combines <paramref name="tensor"/> (contiguous, on this backend's device) over all ranks, in place.</summary>
    public void AllReduce(Tensor tensor, ReduceOp op = ReduceOp.Sum)
    {
        CheckContiguous(tensor, "all_reduce");
        _clock.Start();
        try
        {
            if (WorldSize > 1) AllReduceCore(tensor, op == ReduceOp.Max ? ReduceOp.Max : ReduceOp.Sum);
            if (op == ReduceOp.Mean) tensor.div_(WorldSize);
        }
        finally { _clock.Stop(); }
        BytesAllReduced += tensor.NumberOfElements * tensor.ElementSize;
    }

    /// <summary>Replaces <paramref name="tensor"/> (contiguous) on every rank with rank <paramref name="root"/>'s, in place.</summary>
    public void Broadcast(Tensor tensor, int root = 0)
    {
        CheckContiguous(tensor, "broadcast");
        if (WorldSize == 1) return;
        _clock.Start();
        try { BroadcastCore(tensor, root); }
        finally { _clock.Stop(); }
    }

    /// <summary>Every rank's <paramref name="tensor"/> (same shape on all), stacked along a new first dimension in rank order.</summary>
    public Tensor AllGather(Tensor tensor)
    {
        using var input = tensor.contiguous();
        var output = empty([WorldSize, .. tensor.shape], tensor.dtype, tensor.device);
        if (WorldSize == 1)
        {
            output[0].copy_(input);
            return output;
        }
        _clock.Start();
        try { AllGatherCore(input, output); }
        finally { _clock.Stop(); }
        return output;
    }

    /// <summary>Returns when every rank has called it.</summary>
    public void Barrier()
    {
        if (WorldSize == 1) return;
        _clock.Start();
        try { BarrierCore(); }
        finally { _clock.Stop(); }
    }

    /// <summary>The engine's in-place all-reduce of <paramref name="tensor"/> with <paramref name="op"/>; only called with more than one rank.</summary>
    /// <param name="tensor">The tensor every rank reduces; holds the result afterwards.</param>
    /// <param name="op">The reduction.</param>
    protected abstract void AllReduceCore(Tensor tensor, ReduceOp op);
    /// <summary>The engine's in-place broadcast of <paramref name="tensor"/> from rank <paramref name="root"/>; only called with more than one rank.</summary>
    /// <param name="tensor">The root's data on the root; overwritten with it on the others.</param>
    /// <param name="root">The sending rank.</param>
    protected abstract void BroadcastCore(Tensor tensor, int root);
    /// <summary>The engine's all-gather: every rank's <paramref name="input"/> into <paramref name="output"/> [world size, ...input shape], in rank order.</summary>
    /// <param name="input">This rank's tensor.</param>
    /// <param name="output">The gathered tensors, one per rank along dimension 0.</param>
    protected abstract void AllGatherCore(Tensor input, Tensor output);
    /// <summary>The engine's barrier: returns when every rank has called it.</summary>
    protected abstract void BarrierCore();

    /// <summary>A failed native call as one message: the call, the rank and the engine's own message.</summary>
    protected ResNetSharpException Error(string call, string message) => CallFailed(Backend, call, $"rank {Rank} of {WorldSize}", message);

    /// <summary>The message of a failed native call: engine, call, where (the rank) and the engine's text.</summary>
    internal static ResNetSharpException CallFailed(string backend, string call, string where, string message) =>
        new($"{backend} {call} failed on {where}: {message}");

    /// <summary>A collective that did not complete within <see cref="Timeout"/>.</summary>
    protected ResNetSharpException TimedOut(string call) =>
        new($"{Backend} {call} did not complete within TrainOptions.DistTimeout {Timeout.TotalSeconds:G} s on rank {Rank} of {WorldSize}: another rank failed, died or hangs (see its error above).");

    private static void CheckContiguous(Tensor tensor, string call)
    {
        if (!tensor.is_contiguous())
            throw new ArgumentException($"{call} needs a contiguous tensor.", nameof(tensor));
    }

    /// <summary>Ends this process's part in the job (after the last collective).</summary>
    public abstract void Dispose();
}
