using System.Globalization;
using ResNetSharp.Distributed.Mpi;
using ResNetSharp.Distributed.Nccl;
using TorchSharp;

namespace ResNetSharp.Distributed;

/// <summary>
/// Where this process sits in a job, read from its launcher's environment: under <c>mpirun</c> from
/// <c>OMPI_COMM_WORLD_RANK</c>, <c>OMPI_COMM_WORLD_SIZE</c> and <c>OMPI_COMM_WORLD_LOCAL_RANK</c>; under
/// <c>torchrun --no-python</c> (or by hand) from <c>RANK</c>, <c>WORLD_SIZE</c> and <c>LOCAL_RANK</c>, with
/// <c>MASTER_ADDR</c>:<c>MASTER_PORT</c> (default 127.0.0.1:29500) where rank 0 hands out NCCL's unique id.
/// Without either, a single process of a world of one.
/// </summary>
public sealed record Launch(int Rank, int WorldSize, int LocalRank, string MasterAddr, int MasterPort, bool UnderMpirun)
{
    /// <summary>The default TCP port of rank 0's NCCL id server (torchrun's).</summary>
    public const int DefaultPort = 29500;

    /// <summary>Reads the launcher's variables from <paramref name="variables"/> (default: this process's environment).</summary>
    public static Launch FromEnvironment(Func<string, string?>? variables = null)
    {
        variables ??= Environment.GetEnvironmentVariable;
        int? Int(string name)
        {
            var text = variables(name);
            if (string.IsNullOrWhiteSpace(text)) return null;
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= 0
                ? v : throw new ResNetSharpException($"{name}='{text}' is not a non-negative integer: check how the job is launched.");
        }
        string addr = variables("MASTER_ADDR") is { Length: > 0 } a ? a : "127.0.0.1";
        int port = Int("MASTER_PORT") ?? DefaultPort;
        if (Int("OMPI_COMM_WORLD_SIZE") is { } mpiSize)
            return new(Int("OMPI_COMM_WORLD_RANK") ?? 0, mpiSize, Int("OMPI_COMM_WORLD_LOCAL_RANK") ?? 0, addr, port, UnderMpirun: true);
        int size = Int("WORLD_SIZE") ?? 1;
        int rank = Int("RANK") ?? (size == 1 ? 0 : throw new ResNetSharpException($"WORLD_SIZE={size} but RANK is not set: set RANK (and LOCAL_RANK) for every process, or launch with torchrun or mpirun."));
        return new(rank, size, Int("LOCAL_RANK") ?? rank, addr, port, UnderMpirun: false);
    }

    /// <summary>
    /// The device of this rank: <paramref name="device"/> as given for the CPU, and for CUDA the GPU of <see cref="LocalRank"/>
    /// (<c>cuda:LOCAL_RANK</c>) unless a GPU index is given.
    /// </summary>
    public torch.Device Device(torch.Device device) =>
        device.type == DeviceType.CUDA && device.index <= 0 ? new torch.Device(DeviceType.CUDA, LocalRank) : device;

    /// <summary>
    /// The process group for tensors on <paramref name="device"/>: Open MPI for the CPU (the job must be started by
    /// mpirun, or be a world of one), NCCL for CUDA.
    /// </summary>
    public ProcessGroup Create(torch.Device device, TimeSpan timeout)
    {
        if (device.type == DeviceType.CUDA) return NcclProcessGroup.Create(this, device, timeout);
        if (!UnderMpirun && WorldSize > 1)
            throw new ResNetSharpException($"CPU tensors are reduced with Open MPI, but this process was not started by mpirun (WORLD_SIZE={WorldSize}): launch with 'mpirun -np {WorldSize} resnet train TrainOptions.Distributed ...', or train on GPUs.");
        return UnderMpirun ? MpiProcessGroup.Initialize(LocalRank, timeout) : new SingleProcessGroup(timeout);
    }
}
